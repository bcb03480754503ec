<#-- results.md of a bench run (BenchReport#markdown). r: results.json; fmt: String.format in Locale.ROOT;
     json: a value as JSON; sortedKeys: an object's keys in natural order (?sort collates by locale). -->
<#macro table title rows max unit="samples">
<#if rows?is_sequence>
**${title}**

| frame | ${unit} | share |
|---|---:|---:|
<#list rows as row>
<#if row?index gte max><#break></#if>
| `${row.name}` | ${fmt("%d", row.count)} | ${fmt("%.1f%%", row.share * 100)} |
</#list>

</#if>
</#macro>
<#macro ratios ratios>
Ratios: <#list sortedKeys(ratios) as k>${k} ${fmt("%.2f", ratios[k])}<#sep>, </#list>
</#macro>
<#assign run = r.run!{}>
# token-cache benchmark run ${run.run_id!""}

<#assign loads = sortedKeys(run)?filter(k -> k?starts_with("load."))>
- machine: ${run.machine!"?"}
- load average (1/5/15 min) before each phase: ${loads?has_content?then(loads?map(k -> k?remove_beginning("load.") + " " + run[k])?join("; "), "?")}
- pinning: ${run.pinning!"none"}
- wrk: ${run.wrk!"?"}
- server JVM: ${run.server_jvm!"?"}
- server jar: ${run.server_jar!"?"}
- versions: ${run.versions!"?"}

<#if r.targets?has_content>
## Targets

| target | measured | met |
|---|---|---|
<#list r.targets as t>
| ${t.target} | ${t.measured} | ${(t.informational!false)?then(t.met?then("(info) yes", "(info) no"), t.met?then("yes", "**no**"))} |
</#list>

</#if>
<#if r.hit??>
<#assign hit = r.hit>
## 1. Cache hits: one node each

${(hit.paced??)?then("### Saturated: the same concurrency\n\nClosed loop: each system at its own throughput. ", "")}Median of ${run.rounds!"?"} alternating rounds of ${run.duration!"?"} s each (`${run.wrk!"wrk"}`), after a ${run.warmup!"?"} s warm-up per system.

| system | req/s | p50 ms | p99 ms | p99.9 ms | server CPU µs/request | req/s per round | errors |
|---|---:|---:|---:|---:|---:|---|---:|
<#list systems as s>
<#if hit.systems[s]??>
<#assign o = hit.systems[s]>
| ${s} | ${fmt("%.0f", o.rps)} | ${fmt("%.2f", o.p50_ms)} | ${fmt("%.2f", o.p99_ms)} | ${fmt("%.2f", o.p999_ms)} | ${fmt("%.1f", o.cpu_us_per_request)} | ${o.rounds?map(x -> fmt("%.0f", x.rps))?join(", ")} | ${fmt("%d", o.errors)} |
</#if>
</#list>

<@ratios hit.ratios/>

<#if hit.paced??>
<#assign paced = hit.paced>
### Paced: the same request rate

Every system at ${fmt("%.0f", paced.target_rps)} req/s (${run["hit.paced_rps_source"]!"the target rate"}), `${run.wrk_paced!("wrk -c" + (paced.connections??)?then(fmt("%d", paced.connections!0), "?"))}`: a fixed schedule per wrk thread (token.lua's `BENCH_RATE`); median of ${run.rounds!"?"} alternating rounds of ${run.duration!"?"} s each, after the saturated rounds and ${run.paced_warmup!"no"} s of warm-up per system at this rate. The p99 target is judged here. A system whose achieved rate falls more than 5% below the target was saturated: it was not at the same load.

| system | target req/s | achieved req/s | p50 ms | p99 ms | p99.9 ms | server CPU µs/request | achieved req/s per round | errors |
|---|---:|---:|---:|---:|---:|---:|---|---:|
<#list systems as s>
<#if paced.systems[s]??>
<#assign o = paced.systems[s]>
| ${s} | ${fmt("%.0f", o.target_rps)} | ${fmt("%.0f", o.rps)}${(o.below_target!false)?then(fmt(" (**%.0f%%: saturated**)", o.achieved_share * 100), "")} | ${fmt("%.2f", o.p50_ms)} | ${fmt("%.2f", o.p99_ms)} | ${fmt("%.2f", o.p999_ms)} | ${fmt("%.1f", o.cpu_us_per_request)} | ${o.rounds?map(x -> fmt("%.0f", x.rps))?join(", ")} | ${fmt("%d", o.errors)} |
</#if>
</#list>

<@ratios paced.ratios/>

</#if>
</#if>
<#if r.herd??>
## 2. Upstream calls per key under a herd: 3 nodes each

| system | keys | herd requests | duration s | lifetime s | calls per key (mean / max) | per lifetime | per token generation (mean / worst key) | duplicate calls | herd latency p50 / p99 / max ms | answers |
|---|---:|---:|---:|---:|---|---:|---:|---:|---|---|
<#list ["token-cache", "nginx"] as s>
<#if r.herd[s]??>
<#assign h = r.herd[s] u = h.upstream lat = h.herd_answers.latency_ms!{} generations = u.calls_per_key_per_generation??>
| ${s} (3 nodes) | ${fmt("%d", h.keys)} | ${fmt("%d", h.herd_requests)} | ${fmt("%.0f", h.duration_seconds)} | ${fmt("%d", h.lifetime_seconds)} | ${fmt("%.2f / %d", u.calls_per_key_mean, u.calls_per_key_max)} | ${fmt("%.2f", u.calls_per_key_per_lifetime)} | ${generations?then(fmt("%.2f / %.2f", u.calls_per_key_per_generation, u.calls_per_key_per_generation_max), "-")} | ${generations?then(fmt("%d", u.duplicate_calls), "-")} | ${(lat.p50??)?then(fmt("%.0f / %.0f / %.0f", lat.p50, lat.p99, lat.max), "-")} | herd ${json(h.herd_answers.status)}, then ${json(h.tail_answers.status)} |
</#if>
</#list>

</#if>
<#if r.rollover??>
<#assign roll = r.rollover>
## 3. p99 during token roll-over

${fmt("%d keys, windows of %d s; steady run: tokens live %d s (no refresh); roll-over run: tokens live %d s", roll.keys, roll.window_seconds, roll.steady_lifetime_seconds, roll.lifetime_seconds)} (refreshed at 75%). A window "has a refresh" when the IdP issued a token from ${fmt("%d", roll.refresh_grace_ms)} ms before it to its end.

| figure | value |
|---|---:|
| steady p99 (median of windows) | ${fmt("%.2f", roll.steady_p99_ms_median)} ms |
| roll-over run, windows with a refresh: p99 median (${fmt("%d", roll.refresh_windows)} windows) | ${fmt("%.2f", roll.refresh_p99_ms_median)} ms |
| roll-over run, windows with a refresh: worst p99 | ${fmt("%.2f", roll.refresh_p99_ms_max)} ms |
| roll-over run, windows without a refresh: p99 median | ${fmt("%.2f", roll.no_refresh_p99_ms_median)} ms |
| req/s median, steady / roll-over | ${fmt("%.0f / %.0f", roll.steady_rps_median, roll.rollover_rps_median)} |

</#if>
<#if r.heap??>
<#assign heap = r.heap f = heap.after_fill h = heap.after_hits>
## 4. Heap per cached token

${fmt("%d tokens of %d characters (a %d B String each; answers of %d B).", heap.tokens, heap.token_chars, heap.token_string_bytes, heap.response_body_bytes)} Live heap (jcmd GC.class_histogram) before: ${fmt("%.1f", heap.heap_before_bytes / 1048576)} MiB.

| when | live heap growth | bytes per token | net of the token string |
|---|---:|---:|---:|
| after the fill (a miss per token) | ${fmt("%.1f", f.growth_bytes / 1048576)} MiB | ${fmt("%.0f", f.bytes_per_token)} | ${fmt("%.0f", f.bytes_per_token_net_of_token_string)} |
| after a hit on each (near cache filled) | ${fmt("%.1f", h.growth_bytes / 1048576)} MiB | ${fmt("%.0f", h.bytes_per_token)} | ${fmt("%.0f", h.bytes_per_token_net_of_token_string)} |

What grew (after the hits), per token:

| class | instances | bytes | share |
|---|---:|---:|---:|
<#list h.top_classes as c>
| `${c["class"]}` | ${fmt("%.2f", c.instances_per_token)} | ${fmt("%.1f", c.bytes_per_token)} | ${fmt("%.1f%%", c.share * 100)} |
</#list>

</#if>
<#if r.miss??>
## 6. A hit and a cold miss through the engine (no HTTP)

Each miss a new client, one at a time; the IdP (in the same JVM) answers a request sent to it straight in ${fmt("%.2f", r.miss.idp_answer_ms_median)} ms (median).

| setup | hit median / p99 µs | miss median / p99 ms | miss over the IdP's answer ms | map operations per miss |
|---|---:|---:|---:|---|
<#list ["single", "cluster3"] as setup>
<#if r.miss[setup]??>
<#assign m = r.miss[setup]>
| ${(setup == "single")?then("one member", "member of 3")} | ${fmt("%.2f / %.2f", m.hit_us_median, m.hit_us_p99)} | ${fmt("%.2f / %.2f", m.miss_ms_median, m.miss_ms_p99)} | ${fmt("%.2f", m.miss_overhead_ms_median)} | ${(m.map_operations_per_miss??)?then(json(m.map_operations_per_miss!), "-")} |
</#if>
</#list>

</#if>
<#if r.jfr??>
<#assign jfr = r.jfr>
## JFR: the hit path on the event loops

${fmt("%d execution samples on event-loop threads; token-cache frames on the stack in %.1f%% of them.", jfr.samples, jfr.own_code_on_stack_share * 100)}${(jfr.allocated_bytes_per_request??)?then(fmt(" About %d bytes allocated per request (the event loops' allocation totals / requests).", jfr.allocated_bytes_per_request!0), "")}

<@table title="Where a hit's CPU goes (each sample counted once, by the first matching frame)" rows=(jfr.hit_path_phases!) max=16/>
<@table title="Self time by area" rows=(jfr.self_by_area!) max=12/>
<@table title="token-cache methods, attributed (innermost token-cache frame: the method and the library code it calls)" rows=(jfr.own_attributed!) max=15/>
<@table title="token-cache methods, inclusive" rows=(jfr.own_inclusive!) max=15/>
<@table title="Hottest methods (self)" rows=(jfr.self_top!) max=15/>
<@table title="Allocation by innermost token-cache frame (bytes, estimated from allocation samples)" rows=(jfr.allocation_by_own_frame!) max=10 unit="bytes"/>
</#if>
