package io.tokencache.loadtest.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * When members join and leave during a run, relative to the start of the load.
 *
 * <p>Text form, as given on the command line: comma-separated {@code SECONDS:ACTION} entries, for
 * example {@code 30:add,60:add,90:term,100:kill-oldest}. Actions:
 * <ul>
 *   <li>{@code add}: start one more member (on a port planned from the start, so the cluster's
 *       member list already names it) and put it into rotation once {@code /health/ready} says so;
 *   <li>{@code term}: take the youngest member out of rotation, let in-flight requests drain, then
 *       SIGTERM it (a graceful leave);
 *   <li>{@code kill}: take the youngest member out of rotation and SIGKILL it at once (a crash);
 *   <li>{@code term-oldest}, {@code kill-oldest}: the same for the oldest member (with Hazelcast,
 *       the cluster's master).
 * </ul>
 *
 * @param events the changes, ordered by time
 */
public record MembershipSchedule(List<Event> events) {

  /** What to do to the cluster. */
  public enum Action {
    ADD, TERM, KILL, TERM_OLDEST, KILL_OLDEST;

    /** @return the action's name in the text form: {@code add}, {@code term-oldest}, ... */
    public String text() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @return whether this action stops a member */
    public boolean removes() {
      return this != ADD;
    }

    /** @return whether the member is killed rather than terminated */
    public boolean kills() {
      return this == KILL || this == KILL_OLDEST;
    }

    /** @return whether the oldest member is the one to go */
    public boolean oldest() {
      return this == TERM_OLDEST || this == KILL_OLDEST;
    }

    static Action parse(String text) {
      for (Action action : values()) {
        if (action.text().equals(text.toLowerCase(Locale.ROOT))) {
          return action;
        }
      }
      throw new IllegalArgumentException("unknown membership action '" + text
          + "' (add, term, kill, term-oldest, kill-oldest)");
    }
  }

  /**
   * One scheduled change.
   *
   * @param at offset from the start of the load
   * @param action what to do
   */
  public record Event(Duration at, Action action) {
    public Event {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(action, "action");
      if (at.isNegative()) {
        throw new IllegalArgumentException("event time must be >= 0, was " + at);
      }
    }

    @Override
    public String toString() {
      return (at.toMillis() / 1000.0) + ":" + action.text();
    }
  }

  private static final MembershipSchedule NONE = new MembershipSchedule(List.of());

  public MembershipSchedule {
    events = List.copyOf(events);
  }

  /** @return a schedule without changes */
  public static MembershipSchedule none() {
    return NONE;
  }

  /**
   * Parses the text form.
   *
   * @param text e.g. {@code 30:add,60:add,90:term}; null or blank for no changes
   * @return the schedule
   * @throws IllegalArgumentException naming the bad entry
   */
  public static MembershipSchedule parse(String text) {
    if (text == null || text.isBlank() || text.trim().equalsIgnoreCase("none")) {
      return NONE;
    }
    List<Event> events = new ArrayList<>();
    for (String entry : text.split(",")) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      int colon = trimmed.indexOf(':');
      if (colon <= 0 || colon == trimmed.length() - 1) {
        throw new IllegalArgumentException("membership event '" + trimmed + "' is not SECONDS:ACTION");
      }
      double seconds;
      try {
        seconds = Double.parseDouble(trimmed.substring(0, colon).trim().replaceFirst("s$", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("membership event '" + trimmed + "': bad number of seconds");
      }
      if (!(seconds >= 0) || Double.isInfinite(seconds)) {
        throw new IllegalArgumentException("membership event '" + trimmed + "': seconds must be >= 0");
      }
      events.add(new Event(Duration.ofMillis(Math.round(seconds * 1000)),
          Action.parse(trimmed.substring(colon + 1).trim())));
    }
    // ordered by time, stable for equal times
    events.sort(Comparator.comparing(Event::at));
    return new MembershipSchedule(events);
  }

  /** @return how many members the schedule adds (each needs a planned port) */
  public int additions() {
    return (int) events.stream().filter(e -> e.action() == Action.ADD).count();
  }

  /**
   * @param initial members running when the load starts
   * @return the most members running at once if every change succeeds
   */
  public int peakMembers(int initial) {
    return Arrays.stream(running(initial)).max().orElse(initial);
  }

  /**
   * @param initial members running when the load starts
   * @throws IllegalArgumentException when the schedule would remove the last member
   */
  public void validate(int initial) {
    int[] running = running(initial);
    for (int i = 1; i < running.length; i++) {
      if (running[i] < 1) {
        throw new IllegalArgumentException("membership schedule '" + this + "' removes the last member at "
            + events.get(i - 1).at().toSeconds() + " s");
      }
    }
  }

  /** Members running at the start, then after each change, if every change succeeds. */
  private int[] running(int initial) {
    int[] running = new int[events.size() + 1];
    running[0] = initial;
    for (int i = 0; i < events.size(); i++) {
      running[i + 1] = running[i] + (events.get(i).action() == Action.ADD ? 1 : -1);
    }
    return running;
  }

  @Override
  public String toString() {
    return events.isEmpty() ? "none" : events.stream().map(e -> {
      long millis = e.at().toMillis();
      return (millis % 1000 == 0 ? Long.toString(millis / 1000) : Double.toString(millis / 1000.0)) + ":"
          + e.action().text();
    }).collect(Collectors.joining(","));
  }
}
