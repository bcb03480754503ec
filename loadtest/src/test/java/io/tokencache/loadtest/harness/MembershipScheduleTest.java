package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokencache.loadtest.harness.MembershipSchedule.Action;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MembershipSchedule")
class MembershipScheduleTest {

  @Test
  @DisplayName("parses SECONDS:ACTION entries and orders them by time")
  void shouldParseAndOrder() {
    MembershipSchedule schedule = MembershipSchedule.parse(" 60:add, 30:add ,90.5:term,100s:kill-oldest");
    assertThat(schedule.events()).extracting(MembershipSchedule.Event::at).containsExactly(
        Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMillis(90_500), Duration.ofSeconds(100));
    assertThat(schedule.events()).extracting(MembershipSchedule.Event::action)
        .containsExactly(Action.ADD, Action.ADD, Action.TERM, Action.KILL_OLDEST);
    assertThat(schedule).hasToString("30:add,60:add,90.5:term,100:kill-oldest");
    assertThat(MembershipSchedule.parse(schedule.toString()).events()).isEqualTo(schedule.events());
  }

  @Test
  @DisplayName("counts the members it adds and the peak it reaches")
  void shouldCountAdditionsAndPeak() {
    MembershipSchedule schedule = MembershipSchedule.parse("30:add,60:add,90:add,120:add");
    assertThat(schedule.additions()).isEqualTo(4);
    assertThat(schedule.peakMembers(1)).isEqualTo(5);
    assertThat(MembershipSchedule.parse("10:add,20:term,30:add").peakMembers(2)).isEqualTo(3);
  }

  @Test
  @DisplayName("treats blank and 'none' as no changes")
  void shouldAcceptNone() {
    assertThat(MembershipSchedule.parse(null).events()).isEmpty();
    assertThat(MembershipSchedule.parse("  ").events()).isEmpty();
    assertThat(MembershipSchedule.parse("none")).hasToString("none");
  }

  @Test
  @DisplayName("rejects malformed entries and schedules that empty the cluster")
  void shouldRejectBadSchedules() {
    assertThatThrownBy(() -> MembershipSchedule.parse("30")).hasMessageContaining("is not SECONDS:ACTION");
    assertThatThrownBy(() -> MembershipSchedule.parse("x:add")).hasMessageContaining("bad number of seconds");
    assertThatThrownBy(() -> MembershipSchedule.parse("-1:add")).hasMessageContaining(">= 0");
    assertThatThrownBy(() -> MembershipSchedule.parse("5:explode")).hasMessageContaining("unknown membership action");
    assertThatThrownBy(() -> MembershipSchedule.parse("5:term,6:add").validate(1))
        .hasMessageContaining("removes the last member");
    MembershipSchedule.parse("5:add,6:term").validate(1);
  }

  @Test
  @DisplayName("says which actions remove, kill, and pick the oldest member")
  void shouldDescribeActions() {
    assertThat(Action.ADD.removes()).isFalse();
    assertThat(Action.TERM.removes()).isTrue();
    assertThat(Action.TERM.kills()).isFalse();
    assertThat(Action.KILL.kills()).isTrue();
    assertThat(Action.KILL_OLDEST.oldest()).isTrue();
    assertThat(Action.TERM.oldest()).isFalse();
  }
}
