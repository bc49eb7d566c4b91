import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Version;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.HostProvider;

/**
 * The ZooKeeper side of the Coordinator benchmark (issue #9): the same workloads under the same rules as
 * Coordinator.Bench, against a 3-server ensemble that run-zookeeper.sh starts. README.md beside this file lists
 * the workloads, the rules and the caveats.
 *
 * <p>Closed-loop workloads use the asynchronous API: each session keeps one request outstanding and the completion
 * callback (on the session's event thread) records it and issues the next. The lock and watch workloads are
 * sequential recipes and use the synchronous API, one thread per session.
 */
public final class ZkBench {
    private static final int KEYS = 1000;
    private static final byte[] VALUE = new byte[100];
    private static final int SESSION_TIMEOUT_MS = 30_000;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long BUCKET_NANOS = 100_000_000L;

    private final Map<String, String> options;
    private final List<Server> servers;
    private final String workload;
    private final long seed;
    private final double warmupSeconds;
    private final double durationSeconds;

    private ZkBench(Map<String, String> options) throws IOException {
        this.options = options;
        this.servers = Server.readAll(Path.of(required(options, "--servers-file")));
        this.workload = options.getOrDefault("--workload", "");
        this.seed = Long.parseLong(options.getOrDefault("--seed", "0"));
        this.warmupSeconds = Double.parseDouble(options.getOrDefault("--warmup", "5"));
        this.durationSeconds = Double.parseDouble(options.getOrDefault("--duration", "20"));
    }

    public static void main(String[] args) throws Exception {
        var options = parse(args);
        var hold = options.get("--hold");
        if (hold != null) {
            holdSessions(Server.readAll(Path.of(required(options, "--servers-file"))), hold);
            return;
        }
        var bench = new ZkBench(options);
        Result result = switch (bench.workload) {
            case "write" -> bench.closedLoop(16, (lane, done) -> lane.zk.setData(key(lane.random), VALUE, -1,
                    (rc, path, ctx, stat) -> done.accept(rc), null));
            case "read" -> bench.closedLoop(16, (lane, done) -> lane.zk.getData(key(lane.random), false,
                    (rc, path, ctx, data, stat) -> done.accept(rc), null));
            case "syncread" -> bench.closedLoop(16, (lane, done) -> {
                var key = key(lane.random);
                lane.zk.sync(key, (syncRc, path, ctx) -> {
                    if (syncRc != 0) {
                        done.accept(syncRc);
                    } else {
                        lane.zk.getData(key, false, (rc, p, c, data, stat) -> done.accept(rc), null);
                    }
                }, null);
            });
            case "failover" -> bench.failover();
            case "watch" -> bench.watch();
            case "watch-fanout" -> bench.watchFanout();
            case "watch-recursive" -> bench.watchRecursive();
            case "lock" -> bench.lock();
            case "sessions" -> bench.sessions();
            default -> throw new IllegalArgumentException(
                    "usage: --workload write|read|syncread|failover|watch|watch-fanout|watch-recursive|lock|sessions [--clients N] [--warmup S] "
                            + "[--duration S] [--seed N] [--json FILE] (got '" + bench.workload + "')");
        };
        // --system names what the servers are: the same driver also runs against Coordinator's ZooKeeper port.
        result.report(options.get("--json"), options.getOrDefault("--system", "zookeeper"));
    }

    // ---- closed loop: write, read, syncread, failover ----

    /** One request of a closed-loop workload; {@code done} receives the ZooKeeper result code. */
    private interface Operation {
        void issue(Lane lane, IntConsumer done);
    }

    /** One client session and its records; one thread records into them (the session's event thread, or its lock thread). */
    private static final class Lane {
        final int index;
        final ZooKeeper zk;
        final Random random;
        final Longs issued = new Longs();
        final Longs completed = new Longs();
        final List<String> acknowledged = new ArrayList<>();
        long sequence;
        long errors;

        Lane(int index, ZooKeeper zk, Random random) {
            this.index = index;
            this.zk = zk;
            this.random = random;
        }
    }

    /** Window of a closed-loop run: requests issued before {@code end} keep coming; a request counts if issued at or after {@code start} and completed by {@code end}. */
    private record Window(long start, long end) {
        boolean counts(long issued, long completed) {
            return issued >= start && completed <= end;
        }

        boolean contains(long time) {
            return time >= start && time <= end;
        }
    }

    private Result closedLoop(int defaultClients, Operation operation) throws Exception {
        var clients = Integer.parseInt(options.getOrDefault("--clients", Integer.toString(defaultClients)));
        setUpKeys();
        var lanes = connectLanes(clients, false);
        var window = runLanes(lanes, operation, null);
        closeAll(lanes);
        return closedLoopResult(clients, lanes, window);
    }

    /** Starts every lane, runs {@code during} (if any) on this thread, and waits until every lane stopped issuing. */
    private Window runLanes(List<Lane> lanes, Operation operation, Consumer<Window> during) throws InterruptedException {
        return runLanes(lanes, operation, during, windowFromNow());
    }

    /** The warm-up starts now, the measured window follows it. */
    private Window windowFromNow() {
        var begin = System.nanoTime();
        return new Window(begin + seconds(warmupSeconds), begin + seconds(warmupSeconds + durationSeconds));
    }

    private Window runLanes(List<Lane> lanes, Operation operation, Consumer<Window> during, Window window) throws InterruptedException {
        var finished = new CountDownLatch(lanes.size());
        for (var lane : lanes) {
            issueNext(lane, operation, window, finished);
        }
        if (during != null) {
            during.accept(window);
        }
        if (!finished.await(Math.max(0, window.end - System.nanoTime()) + 2L * SESSION_TIMEOUT_MS * 1_000_000L, TimeUnit.NANOSECONDS)) {
            System.err.println(finished.getCount() + " session(s) still had a request outstanding at the end");
        }
        return window;
    }

    private static void issueNext(Lane lane, Operation operation, Window window, CountDownLatch finished) {
        var issued = System.nanoTime();
        if (issued >= window.end || !lane.zk.getState().isAlive()) {
            finished.countDown();
            return;
        }
        operation.issue(lane, rc -> {
            var completed = System.nanoTime();
            if (window.counts(issued, completed)) {
                if (rc == KeeperException.Code.OK.intValue()) {
                    lane.issued.add(issued);
                    lane.completed.add(completed);
                } else {
                    lane.errors++;
                }
            }
            issueNext(lane, operation, window, finished);
        });
    }

    private Result closedLoopResult(int clients, List<Lane> lanes, Window window) {
        var latencies = new Longs();
        long errors = 0;
        for (var lane : lanes) {
            for (var i = 0; i < lane.issued.size; i++) {
                latencies.add(lane.completed.values[i] - lane.issued.values[i]);
            }
            errors += lane.errors;
        }
        return new Result(workload, clients, (window.end - window.start) / (double) NANOS_PER_SECOND, latencies, errors);
    }

    // ---- failover ----

    private Result failover() throws Exception {
        var clients = Integer.parseInt(options.getOrDefault("--clients", "16"));
        var killAfter = Double.parseDouble(options.getOrDefault("--kill-at", "8"));
        if (killAfter >= durationSeconds) {
            throw new IllegalArgumentException("--kill-at must fall inside --duration");
        }
        try (var setup = connect(List.of(servers.get(0)))) {
            createIgnoringExisting(setup, "/bench-failover");
            for (var i = 0; i < clients; i++) {
                createIgnoringExisting(setup, laneDirectory(i));
            }
        }
        var lanes = connectLanes(clients, true);
        var killedAt = new long[1];
        var killed = new Server[1];
        Operation create = (lane, done) -> {
            var path = laneDirectory(lane.index) + String.format("/n%09d", lane.sequence++);
            lane.zk.create(path, VALUE, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, (rc, p, ctx, name) -> {
                if (rc == KeeperException.Code.OK.intValue()) {
                    lane.acknowledged.add(path);
                }
                done.accept(rc);
            }, null);
        };
        var window = runLanes(lanes, create, measured -> {
            try {
                sleepUntil(measured.start + seconds(killAfter));
                killed[0] = leader();
                var process = ProcessHandle.of(killed[0].pid)
                        .orElseThrow(() -> new IllegalStateException("server " + killed[0].id + " (pid " + killed[0].pid + ") is not running"));
                if (!process.destroyForcibly()) {
                    throw new IllegalStateException("could not SIGKILL server " + killed[0].id + " (pid " + killed[0].pid + ")");
                }
                // The kill counts from when the JVM is gone, as the C# bench's does: a request issued between the signal
                // and the process's end could still be served by the dying leader.
                // (onExit polls a non-child process only every few hundred ms: too coarse for this clock.)
                var signalled = System.nanoTime();
                while (process.isAlive()) {
                    if (System.nanoTime() - signalled > seconds(10)) {
                        throw new IllegalStateException("server " + killed[0].id + " did not exit after SIGKILL");
                    }
                    Thread.sleep(1);
                }
                killedAt[0] = System.nanoTime();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
        var result = closedLoopResult(clients, lanes, window);
        var survivors = new ArrayList<>(servers);
        survivors.remove(killed[0]);
        result.extra.put("killed_server", killed[0].id);
        result.extra.put("kill_at_s", (killedAt[0] - window.start) / (double) NANOS_PER_SECOND);
        recoveryFigures(lanes, window, killedAt[0], result.extra);
        result.extra.put("lost", lostCreates(lanes, survivors, result.extra));
        closeAll(lanes);
        return result;
    }

    private static String laneDirectory(int lane) {
        return String.format("/bench-failover/c%03d", lane);
    }

    /** Per session: ms from the kill to the completion of its first successful create issued after the kill; and when the write rate is back to half its pre-kill rate. */
    private static void recoveryFigures(List<Lane> lanes, Window window, long killedAt, Map<String, Object> extra) {
        var recovered = new Longs();
        long beforeKill = 0;
        var buckets = new long[(int) ((window.end - killedAt) / BUCKET_NANOS) + 1];
        for (var lane : lanes) {
            var first = -1L;
            for (var i = 0; i < lane.issued.size; i++) {
                var completed = lane.completed.values[i];
                if (completed < killedAt) {
                    beforeKill++;
                } else {
                    buckets[(int) ((completed - killedAt) / BUCKET_NANOS)]++;
                }
                if (first < 0 && lane.issued.values[i] >= killedAt) {
                    first = completed - killedAt;
                }
            }
            if (first >= 0) {
                recovered.add(first);
            }
        }
        // a session that never succeeded after the kill ranks last (null when the rank falls on it)
        var firsts = new Percentiles(recovered);
        extra.put("recovered_clients", recovered.size);
        extra.put("first_client_ms", firsts.rank(0));
        extra.put("median_client_ms", firsts.rank(lanes.size() / 2));
        extra.put("last_client_ms", firsts.rank(lanes.size() - 1));
        var preKillRate = beforeKill / ((killedAt - window.start) / (double) NANOS_PER_SECOND);
        extra.put("pre_kill_ops_per_sec", preKillRate);
        var halfPerBucket = preKillRate / 2 * BUCKET_NANOS / NANOS_PER_SECOND;
        // requests in flight at the kill may still complete in the first buckets: recovery is the first full
        // bucket back at half the rate after the first one below it (0 if the rate never fell below half)
        var dip = -1;
        Object halfRateMs = 0.0;
        for (var b = 0; b < buckets.length - 1; b++) {
            if (buckets[b] < halfPerBucket && dip < 0) {
                dip = b;
                halfRateMs = null;
            } else if (buckets[b] >= halfPerBucket && dip >= 0) {
                halfRateMs = (b + 1) * BUCKET_NANOS / 1e6;
                break;
            }
        }
        extra.put("half_rate_ms", halfRateMs);
    }

    /** Counts acknowledged creates that a surviving server does not have. */
    private long lostCreates(List<Lane> lanes, List<Server> survivors, Map<String, Object> extra) throws Exception {
        long acknowledged = 0;
        long lost = 0;
        try (var zk = connect(survivors)) {
            for (var lane : lanes) {
                var present = new HashSet<String>();
                for (var child : zk.getChildren(laneDirectory(lane.index), false)) {
                    present.add(laneDirectory(lane.index) + "/" + child);
                }
                acknowledged += lane.acknowledged.size();
                lost += lane.acknowledged.stream().filter(path -> !present.contains(path)).count();
            }
        }
        extra.put("acknowledged", acknowledged);
        return lost;
    }

    // ---- watch ----

    /** Setter on server 1, watcher on server 2: setData issue to NodeDataChanged delivery, the watch re-armed each sample. */
    private Result watch() throws Exception {
        var samples = Integer.parseInt(options.getOrDefault("--samples", "200"));
        var latencies = new Longs();
        long errors = 0;
        try (var setter = connect(List.of(servers.get(0))); var watcher = connect(List.of(servers.get(1)))) {
            createIgnoringExisting(setter, "/bench-watch");
            var events = new LinkedBlockingQueue<Long>();
            Watcher onChange = event -> {
                if (event.getType() == Watcher.Event.EventType.NodeDataChanged) {
                    events.add(System.nanoTime());
                }
            };
            var measureFrom = System.nanoTime() + seconds(warmupSeconds);
            while (latencies.size + errors < samples) {
                var counted = System.nanoTime() >= measureFrom;
                watcher.getData("/bench-watch", onChange, null);
                var issued = System.nanoTime();
                setter.setData("/bench-watch", VALUE, -1);
                var delivered = events.poll(10, TimeUnit.SECONDS);
                if (!counted) {
                    continue;
                }
                if (delivered == null) {
                    errors++;
                } else {
                    latencies.add(delivered - issued);
                }
            }
            var result = new Result(workload, 2, (System.nanoTime() - measureFrom) / (double) NANOS_PER_SECOND, latencies, errors);
            result.extra.put("samples", samples);
            return result;
        }
    }

    // ---- watch fan-out ----

    /**
     * {@code --watchers} persistent watches ({@code addWatch PERSISTENT}) on one node, watcher j on session
     * j mod {@code --sessions}, session i on server i mod 3; a setter on server 1 sets the node, waits until every
     * watcher has its event, pauses {@code --pause-ms} and sets again. Latency = set issue -> the last watcher's event.
     */
    private Result watchFanout() throws Exception {
        var watchers = intOption("--watchers", 1000);
        var sessions = intOption("--sessions", 100);
        var sets = intOption("--sets", 500);
        var pauseMs = intOption("--pause-ms", 10);
        var path = "/bench-fanout";
        try (var setter = connect(List.of(servers.get(0)))) {
            createIgnoringExisting(setter, path);
            var lanes = connectLanes(sessions, false);
            var rounds = new FanoutRounds(watchers);
            for (var w = 0; w < watchers; w++) {
                // the n-th event a watcher sees is the n-th set's: only the setter changes the node
                var seen = new AtomicInteger();
                Watcher watcher = event -> {
                    if (event.getType() == Watcher.Event.EventType.NodeDataChanged) {
                        rounds.arrived(seen.incrementAndGet(), System.nanoTime());
                    }
                };
                lanes.get(w % sessions).zk.addWatch(path, watcher, AddWatchMode.PERSISTENT);
            }
            var last = new Longs();
            var first = new Longs();
            var acknowledged = new Longs();
            long incomplete = 0;
            var measureFrom = System.nanoTime() + seconds(warmupSeconds);
            var measured = 0;
            while (measured < sets) {
                var counted = System.nanoTime() >= measureFrom;
                var round = rounds.begin(System.nanoTime());
                setter.setData(path, VALUE, -1);
                var acked = System.nanoTime();
                var complete = round.done.await(10, TimeUnit.SECONDS);
                if (counted) {
                    measured++;
                    acknowledged.add(acked - round.sent);
                    if (complete) {
                        last.add(round.last - round.sent);
                        first.add(round.first - round.sent);
                    } else {
                        incomplete++;
                    }
                }
                Thread.sleep(pauseMs);
            }
            var durationSeconds = (System.nanoTime() - measureFrom) / (double) NANOS_PER_SECOND;
            // late events of a set that timed out still count as delivered
            var missed = rounds.missedAfter(seconds(10));
            closeAll(lanes);
            var result = new Result(workload, sessions, durationSeconds, last, incomplete);
            result.extra.put("watchers", watchers);
            result.extra.put("sessions", sessions);
            result.extra.put("watch", "persistent");
            result.extra.put("sets", measured);
            result.extra.put("first_event_p50_ms", new Percentiles(first).at(0.50));
            result.extra.put("set_p50_ms", new Percentiles(acknowledged).at(0.50));
            result.extra.put("missed_events", missed);
            result.extra.put("unexpected_events", rounds.unexpected());
            return result;
        }
    }

    /** One round per set: when it was sent, and when its first and last watcher's events arrived. */
    private static final class FanoutRounds {
        private final int watchers;
        private final List<Round> rounds = new ArrayList<>();
        private long unexpected;

        FanoutRounds(int watchers) {
            this.watchers = watchers;
        }

        synchronized Round begin(long sent) {
            var round = new Round(sent, watchers);
            rounds.add(round);
            return round;
        }

        /** A watcher's {@code n}-th event, 1-based. */
        synchronized void arrived(int n, long time) {
            if (n > rounds.size()) {
                unexpected++;
                return;
            }
            var round = rounds.get(n - 1);
            if (round.remaining == watchers) {
                round.first = time;
            }
            round.last = time;
            if (--round.remaining == 0) {
                round.done.countDown();
            }
        }

        /** Events still missing once the last set had {@code grace} nanoseconds to arrive. */
        long missedAfter(long grace) throws InterruptedException {
            Round latest;
            synchronized (this) {
                if (rounds.isEmpty()) {
                    return 0;
                }
                latest = rounds.get(rounds.size() - 1);
            }
            latest.done.await(grace, TimeUnit.NANOSECONDS);
            synchronized (this) {
                return rounds.stream().mapToLong(round -> round.remaining).sum();
            }
        }

        synchronized long unexpected() {
            return unexpected;
        }

        static final class Round {
            final long sent;
            final CountDownLatch done = new CountDownLatch(1);
            int remaining;
            long first;
            long last;

            Round(long sent, int watchers) {
                this.sent = sent;
                this.remaining = watchers;
            }
        }
    }

    // ---- recursive watches under a write load ----

    /**
     * {@code --watchers} sessions (session i on server i mod 3) each with one persistent recursive watch
     * ({@code addWatch PERSISTENT_RECURSIVE}) on /bench-rwatch, while {@code --clients} writer sessions set its
     * {@code --keys} children in a closed loop. Counts the events delivered inside the measured window and, once the
     * writers stopped and the watchers drained, every watcher's events per child against the acknowledged writes.
     */
    private Result watchRecursive() throws Exception {
        var watchers = intOption("--watchers", 100);
        var clients = intOption("--clients", 16);
        var keys = intOption("--keys", 100);
        var root = "/bench-rwatch";
        var paths = new String[keys];
        var keyIndex = new HashMap<String, Integer>();
        for (var k = 0; k < keys; k++) {
            paths[k] = String.format("%s/k%04d", root, k);
            keyIndex.put(paths[k], k);
        }
        try (var setup = connect(List.of(servers.get(0)))) {
            createIgnoringExisting(setup, root);
            for (var path : paths) {
                createIgnoringExisting(setup, path);
            }
        }
        var watcherLanes = connectLanes(watchers, false);
        var writerLanes = connectLanes(clients, false);
        var tallies = new ArrayList<Tally>();
        // set just before the writers start; the watchers' event threads read it
        var window = new AtomicReference<Window>();
        for (var lane : watcherLanes) {
            var tally = new Tally(keys);
            tallies.add(tally);
            lane.zk.addWatch(root, event -> {
                var time = System.nanoTime();
                var key = event.getType() == Watcher.Event.EventType.NodeDataChanged ? keyIndex.get(event.getPath()) : null;
                if (key != null) {
                    var measured = window.get();
                    tally.arrived(key, measured != null && measured.contains(time));
                }
            }, AddWatchMode.PERSISTENT_RECURSIVE);
        }
        var acked = new AtomicLongArray(keys);
        var unacked = new AtomicLong();
        Operation write = (lane, done) -> {
            var key = lane.random.nextInt(keys);
            lane.zk.setData(paths[key], VALUE, -1, (rc, path, ctx, stat) -> {
                if (rc == KeeperException.Code.OK.intValue()) {
                    acked.incrementAndGet(key);
                } else {
                    unacked.incrementAndGet();
                }
                done.accept(rc);
            }, null);
        };
        window.set(windowFromNow());
        runLanes(writerLanes, write, null, window.get());
        var writersDone = System.nanoTime();
        long expectedPerWatcher = 0;
        for (var k = 0; k < keys; k++) {
            expectedPerWatcher += acked.get(k);
        }
        var drainedAt = drain(tallies, expectedPerWatcher);
        var result = closedLoopResult(clients, writerLanes, window.get());
        long missed = 0;
        long duplicate = 0;
        long received = 0;
        long inWindow = 0;
        for (var tally : tallies) {
            for (var k = 0; k < keys; k++) {
                var difference = tally.perKey.get(k) - acked.get(k);
                missed += Math.max(0, -difference);
                duplicate += Math.max(0, difference);
            }
            received += tally.total.get();
            inWindow += tally.inWindow.get();
        }
        closeAll(watcherLanes);
        closeAll(writerLanes);
        result.extra.put("watchers", watchers);
        result.extra.put("keys", keys);
        result.extra.put("watch", "persistent-recursive");
        result.extra.put("writes_per_sec", result.ops / result.durationSeconds);
        result.extra.put("events_per_sec", inWindow / result.durationSeconds);
        result.extra.put("events_in_window", inWindow);
        result.extra.put("acknowledged_writes", expectedPerWatcher);
        result.extra.put("unacknowledged_writes", unacked.get());
        result.extra.put("expected_events", expectedPerWatcher * watchers);
        result.extra.put("received_events", received);
        result.extra.put("missed_events", missed);
        result.extra.put("duplicate_events", duplicate);
        result.extra.put("drain_ms", drainedAt < 0 ? null : Math.max(0, drainedAt - writersDone) / 1e6);
        return result;
    }

    /**
     * Waits until every watcher has at least {@code expected} events (then half a second more for duplicates),
     * or until no event arrived for 5 s (at most 60 s); returns when the last watcher got there, or -1.
     */
    private static long drain(List<Tally> tallies, long expected) throws InterruptedException {
        var started = System.nanoTime();
        var lastTotal = -1L;
        var lastChange = started;
        while (true) {
            var now = System.nanoTime();
            long total = 0;
            var complete = true;
            for (var tally : tallies) {
                var received = tally.total.get();
                total += received;
                complete &= received >= expected;
            }
            if (complete) {
                Thread.sleep(500);
                return now;
            }
            if (total != lastTotal) {
                lastTotal = total;
                lastChange = now;
            } else if (now - lastChange > seconds(5) || now - started > seconds(60)) {
                return -1;
            }
            Thread.sleep(20);
        }
    }

    /** One recursive watcher's events, per child; written by its session's event thread. */
    private static final class Tally {
        final AtomicLongArray perKey;
        final AtomicLong total = new AtomicLong();
        final AtomicLong inWindow = new AtomicLong();

        Tally(int keys) {
            perKey = new AtomicLongArray(keys);
        }

        void arrived(int key, boolean counted) {
            perKey.incrementAndGet(key);
            total.incrementAndGet();
            if (counted) {
                inWindow.incrementAndGet();
            }
        }
    }

    // ---- lock ----

    /** Sessions contending on one lock with the standard recipe; a cycle is acquire + release, held for no time. */
    private Result lock() throws Exception {
        var clients = Integer.parseInt(options.getOrDefault("--clients", "8"));
        try (var setup = connect(List.of(servers.get(0)))) {
            createIgnoringExisting(setup, "/bench-lock");
        }
        var lanes = connectLanes(clients, false);
        var begin = System.nanoTime();
        var window = new Window(begin + seconds(warmupSeconds), begin + seconds(warmupSeconds + durationSeconds));
        var failure = new AtomicBoolean();
        var threads = new ArrayList<Thread>();
        for (var lane : lanes) {
            var thread = new Thread(() -> {
                try {
                    while (System.nanoTime() < window.end) {
                        var issued = System.nanoTime();
                        var node = acquire(lane.zk);
                        var acquired = System.nanoTime();
                        lane.zk.delete(node, -1);
                        if (window.counts(issued, System.nanoTime())) {
                            // the cycle counts; the latency recorded is the acquire's
                            lane.issued.add(issued);
                            lane.completed.add(acquired);
                        }
                    }
                } catch (KeeperException | InterruptedException | RuntimeException e) {
                    failure.set(true);
                    System.err.println("lock session " + lane.index + ": " + e);
                }
            }, "lock-" + lane.index);
            thread.start();
            threads.add(thread);
        }
        for (var thread : threads) {
            thread.join();
        }
        closeAll(lanes);
        if (failure.get()) {
            throw new IllegalStateException("a lock session failed");
        }
        var result = closedLoopResult(clients, lanes, window);
        result.extra.put("cycles", result.ops);
        result.extra.put("cycles_per_sec", result.ops / result.durationSeconds);
        return result;
    }

    /** Create EPHEMERAL_SEQUENTIAL; held once it is the lowest child, else wait for its predecessor to go. */
    private static String acquire(ZooKeeper zk) throws KeeperException, InterruptedException {
        var node = zk.create("/bench-lock/lock-", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
        var name = node.substring("/bench-lock/".length());
        while (true) {
            var children = zk.getChildren("/bench-lock", false);
            Collections.sort(children);
            var position = children.indexOf(name);
            if (position == 0) {
                return node;
            }
            var gone = new CountDownLatch(1);
            if (zk.exists("/bench-lock/" + children.get(position - 1), event -> gone.countDown()) != null
                    && !gone.await(SESSION_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("predecessor of " + node + " held the lock for a whole session timeout");
            }
        }
    }

    // ---- sessions ----

    /**
     * Idle sessions held by child JVMs: a ZooKeeper handle takes two threads and three file descriptors (socket,
     * epoll, eventfd), so 10,000 in one JVM would pass this machine's hard limit of 20,000 open files. Server memory
     * after a full GC, before and after.
     */
    private Result sessions() throws Exception {
        var sessions = Integer.parseInt(options.getOrDefault("--sessions", "10000"));
        var perJvm = Integer.parseInt(options.getOrDefault("--sessions-per-jvm", "2500"));
        setUpKeys();
        var before = memory();
        var children = new ArrayList<Process>();
        var started = System.nanoTime();
        try {
            for (var first = 0; first < sessions; first += perJvm) {
                children.add(new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                        "-Xmx512m", "-Xss256k", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "-Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.ClientCnxn=error",
                        "-cp", System.getProperty("java.class.path"), "ZkBench",
                        "--servers-file", required(options, "--servers-file"),
                        "--hold", first + ":" + Math.min(perJvm, sessions - first))
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start());
            }
            for (var child : children) {
                var reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                var line = CompletableFuture.supplyAsync(() -> readLine(reader)).get(180, TimeUnit.SECONDS);
                if (line == null || !line.startsWith("connected")) {
                    throw new IllegalStateException("a session-holding JVM failed: " + line);
                }
            }
            var connectSeconds = (System.nanoTime() - started) / (double) NANOS_PER_SECOND;
            Thread.sleep((long) (durationSeconds * 1000));
            var connections = new ArrayList<Object>();
            for (var server : servers) {
                connections.add(Long.parseLong(mntr(server).getOrDefault("zk_num_alive_connections", "-1")));
            }
            var after = memory();
            var result = new Result(workload, sessions, durationSeconds, new Longs(), 0);
            result.extra.put("sessions", sessions);
            result.extra.put("connect_s", connectSeconds);
            result.extra.put("connections_per_server", connections);
            long heapDelta = 0;
            long rssDelta = 0;
            var perServer = new ArrayList<Object>();
            for (var i = 0; i < servers.size(); i++) {
                heapDelta += after.get(i)[0] - before.get(i)[0];
                rssDelta += after.get(i)[1] - before.get(i)[1];
                var figures = new LinkedHashMap<String, Object>();
                figures.put("id", servers.get(i).id);
                figures.put("heap_used_before_kb", before.get(i)[0]);
                figures.put("heap_used_after_kb", after.get(i)[0]);
                figures.put("rss_before_kb", before.get(i)[1]);
                figures.put("rss_after_kb", after.get(i)[1]);
                perServer.add(figures);
            }
            result.extra.put("heap_bytes_per_session", heapDelta * 1024.0 / sessions);
            result.extra.put("rss_bytes_per_session", rssDelta * 1024.0 / sessions);
            result.extra.put("servers", perServer);
            return result;
        } finally {
            for (var child : children) {
                child.getOutputStream().close();
            }
            for (var child : children) {
                if (!child.waitFor(20, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
        }
    }

    /** Child JVM of the sessions workload: opens sessions FIRST..FIRST+COUNT-1 (session k on server k mod 3), says so, holds them until stdin closes. */
    private static void holdSessions(List<Server> servers, String range) throws Exception {
        var parts = range.split(":");
        var first = Integer.parseInt(parts[0]);
        var count = Integer.parseInt(parts[1]);
        var connected = new CountDownLatch(count);
        var handles = new ArrayList<ZooKeeper>();
        for (var k = first; k < first + count; k++) {
            var once = new AtomicBoolean();
            var server = servers.get(k % servers.size());
            handles.add(new ZooKeeper(server.address, SESSION_TIMEOUT_MS, event -> {
                if (event.getState() == Watcher.Event.KeeperState.SyncConnected && once.compareAndSet(false, true)) {
                    connected.countDown();
                }
            }, false, new OrderedHostProvider(List.of(server))));
        }
        if (!connected.await(170, TimeUnit.SECONDS)) {
            System.out.println("failed: " + (count - connected.getCount()) + " of " + count + " sessions connected");
            System.out.flush();
            Runtime.getRuntime().halt(1);
        }
        System.out.println("connected " + handles.size());
        System.out.flush();
        while (System.in.read() != -1) {
            continue;
        }
        Runtime.getRuntime().halt(0);
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            return "read failed: " + e;
        }
    }

    /** Per server, after a full GC ({@code jcmd GC.run}): {heap used KiB from GC.heap_info, VmRSS KiB}. */
    private List<long[]> memory() throws Exception {
        var figures = new ArrayList<long[]>();
        var heapUsed = Pattern.compile("total \\d+K, used (\\d+)K");
        for (var server : servers) {
            jcmd(server.pid, "GC.run");
            Matcher match = heapUsed.matcher(jcmd(server.pid, "GC.heap_info"));
            if (!match.find()) {
                throw new IllegalStateException("no heap figure from jcmd " + server.pid + " GC.heap_info");
            }
            long rss = -1;
            for (var line : Files.readAllLines(Path.of("/proc/" + server.pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            figures.add(new long[] {Long.parseLong(match.group(1)), rss});
        }
        return figures;
    }

    private static String jcmd(long pid, String command) throws Exception {
        var process = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + output);
        }
        return output;
    }

    // ---- sessions, nodes and servers ----

    private static String key(Random random) {
        return String.format("/bench/k%04d", random.nextInt(KEYS));
    }

    /** /bench/k0000..k0999 with 100-byte values, created pipelined through one session. */
    private void setUpKeys() throws Exception {
        try (var zk = connect(List.of(servers.get(0)))) {
            createIgnoringExisting(zk, "/bench");
            var pending = new CountDownLatch(KEYS);
            var failures = new AtomicInteger();
            for (var k = 0; k < KEYS; k++) {
                zk.create(String.format("/bench/k%04d", k), VALUE, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                        (rc, path, ctx, name) -> {
                            if (rc != KeeperException.Code.OK.intValue() && rc != KeeperException.Code.NODEEXISTS.intValue()) {
                                failures.incrementAndGet();
                            }
                            pending.countDown();
                        }, null);
            }
            if (!pending.await(60, TimeUnit.SECONDS) || failures.get() > 0) {
                throw new IllegalStateException("creating the 1,000 keys failed (" + failures.get() + " errors)");
            }
        }
    }

    private static void createIgnoringExisting(ZooKeeper zk, String path) throws KeeperException, InterruptedException {
        try {
            zk.create(path, VALUE, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
            // a node left by an earlier step of the same run is what we wanted
        }
    }

    /** Session i on server i mod 3; with {@code failOver} it may move on to the next servers in order, else it stays pinned. */
    private List<Lane> connectLanes(int clients, boolean failOver) throws Exception {
        var lanes = new ArrayList<Lane>();
        for (var i = 0; i < clients; i++) {
            var order = new ArrayList<Server>();
            for (var offset = 0; offset < (failOver ? servers.size() : 1); offset++) {
                order.add(servers.get((i + offset) % servers.size()));
            }
            lanes.add(new Lane(i, connect(order), new Random(seed + i)));
        }
        return lanes;
    }

    private static ZooKeeper connect(List<Server> order) throws Exception {
        var connected = new CountDownLatch(1);
        var zk = new ZooKeeper(String.join(",", order.stream().map(s -> s.address).toList()), SESSION_TIMEOUT_MS, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, false, new OrderedHostProvider(order));
        if (!connected.await(30, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("no session with " + order.get(0).address + " within 30 s");
        }
        return zk;
    }

    private static void closeAll(List<Lane> lanes) throws InterruptedException {
        for (var lane : lanes) {
            lane.zk.close(5_000);
        }
    }

    private Server leader() {
        for (var server : servers) {
            if ("leader".equals(srvr(server).get("Mode"))) {
                return server;
            }
        }
        throw new IllegalStateException("no server reports Mode: leader");
    }

    private static Map<String, String> srvr(Server server) {
        var fields = new HashMap<String, String>();
        for (var line : fourLetterWord(server, "srvr").split("\n")) {
            var colon = line.indexOf(": ");
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 2).trim());
            }
        }
        return fields;
    }

    private static Map<String, String> mntr(Server server) {
        var fields = new HashMap<String, String>();
        for (var line : fourLetterWord(server, "mntr").split("\n")) {
            var parts = line.split("\t");
            if (parts.length == 2) {
                fields.put(parts[0], parts[1].trim());
            }
        }
        return fields;
    }

    private static String fourLetterWord(Server server, String word) {
        try (var socket = new Socket()) {
            socket.connect(server.socketAddress(), 2_000);
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
    }

    /** One line of the servers file run-zookeeper.sh writes: {@code id host:port pid}. */
    private record Server(int id, String address, long pid) {
        static List<Server> readAll(Path file) throws IOException {
            var all = new ArrayList<Server>();
            for (var line : Files.readAllLines(file)) {
                var parts = line.trim().split("\\s+");
                if (parts.length == 3) {
                    all.add(new Server(Integer.parseInt(parts[0]), parts[1], Long.parseLong(parts[2])));
                }
            }
            if (all.size() != 3) {
                throw new IllegalStateException(file + " lists " + all.size() + " servers, expected 3");
            }
            return all;
        }

        InetSocketAddress socketAddress() {
            var colon = address.lastIndexOf(':');
            return new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        }
    }

    /**
     * ZooKeeper's StaticHostProvider without its shuffle: servers in the given order (the session's own first),
     * round robin from the last one connected, sleeping {@code spinDelay} after a whole unsuccessful pass.
     */
    private static final class OrderedHostProvider implements HostProvider {
        private final List<InetSocketAddress> addresses = new ArrayList<>();
        private int current = -1;
        private int last = -1;

        OrderedHostProvider(List<Server> order) {
            for (var server : order) {
                addresses.add(server.socketAddress());
            }
        }

        @Override
        public int size() {
            return addresses.size();
        }

        @Override
        public InetSocketAddress next(long spinDelay) {
            current = (current + 1) % addresses.size();
            if (current == last && spinDelay > 0) {
                try {
                    Thread.sleep(spinDelay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else if (last == -1) {
                last = 0;
            }
            return addresses.get(current);
        }

        @Override
        public void onConnected() {
            last = current;
        }

        @Override
        public boolean updateServerList(Collection<InetSocketAddress> serverAddresses, InetSocketAddress currentHost) {
            throw new UnsupportedOperationException("the benchmark ensemble is static");
        }
    }

    // ---- figures ----

    /** Growable array of nanoTime values or durations. */
    private static final class Longs {
        long[] values = new long[1024];
        int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }
    }

    /** Percentiles as Coordinator.Bench's LatencyRecorder takes them: sorted[min(n - 1, (int)(q * n))]. */
    private static final class Percentiles {
        private final long[] sorted;

        Percentiles(Longs nanos) {
            sorted = Arrays.copyOf(nanos.values, nanos.size);
            Arrays.sort(sorted);
        }

        Double at(double quantile) {
            return sorted.length == 0 ? null : sorted[Math.min(sorted.length - 1, (int) (quantile * sorted.length))] / 1e6;
        }

        Double rank(int index) {
            return index < sorted.length ? sorted[index] / 1e6 : null;
        }

        Double max() {
            return sorted.length == 0 ? null : sorted[sorted.length - 1] / 1e6;
        }
    }

    private static final class Result {
        final String workload;
        final int clients;
        final double durationSeconds;
        final long ops;
        final Percentiles latency;
        final long errors;
        final Map<String, Object> extra = new LinkedHashMap<>();

        Result(String workload, int clients, double durationSeconds, Longs latencies, long errors) {
            this.workload = workload;
            this.clients = clients;
            this.durationSeconds = durationSeconds;
            this.ops = latencies.size;
            this.latency = new Percentiles(latencies);
            this.errors = errors;
        }

        void report(String jsonFile, String system) throws IOException {
            var fields = new LinkedHashMap<String, Object>();
            fields.put("system", system);
            fields.put("driver", "ZkBench");
            fields.put("version", Version.getFullVersion());
            fields.put("time", Instant.now().toString());
            fields.put("workload", workload);
            fields.put("clients", clients);
            fields.put("duration_s", durationSeconds);
            fields.put("ops", ops);
            fields.put("ops_per_sec", ops / durationSeconds);
            fields.put("p50_ms", latency.at(0.50));
            fields.put("p90_ms", latency.at(0.90));
            fields.put("p99_ms", latency.at(0.99));
            fields.put("p999_ms", latency.at(0.999));
            fields.put("max_ms", latency.max());
            fields.put("errors", errors);
            fields.putAll(extra);
            var line = new StringBuilder(String.format(Locale.ROOT,
                    "%s %-9s clients %5d: %,10.0f ops/s, p50 %s, p90 %s, p99 %s, p99.9 %s, max %s ms, errors %d",
                    system, workload, clients, ops / durationSeconds, human(latency.at(0.50)), human(latency.at(0.90)),
                    human(latency.at(0.99)), human(latency.at(0.999)), human(latency.max()), errors));
            extra.forEach((name, value) -> line.append(", ").append(name).append(' ').append(json(value)));
            System.out.println(line);
            if (jsonFile != null) {
                Files.writeString(Path.of(jsonFile), json(fields) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }

        private static String human(Double ms) {
            return ms == null ? "-" : String.format(Locale.ROOT, "%.2f", ms);
        }

        private static String json(Object value) {
            if (value == null) {
                return "null";
            }
            if (value instanceof Double d) {
                return d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.3f", d);
            }
            if (value instanceof Number || value instanceof Boolean) {
                return value.toString();
            }
            if (value instanceof Map<?, ?> map) {
                var parts = new ArrayList<String>();
                map.forEach((name, v) -> parts.add(json(name) + ":" + json(v)));
                return "{" + String.join(",", parts) + "}";
            }
            if (value instanceof List<?> list) {
                return "[" + String.join(",", list.stream().map(Result::json).toList()) + "]";
            }
            return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }

    // ---- arguments and time ----

    private static Map<String, String> parse(String[] args) {
        var options = new HashMap<String, String>();
        for (var i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    private int intOption(String name, int fallback) {
        return Integer.parseInt(options.getOrDefault(name, Integer.toString(fallback)));
    }

    private static String required(Map<String, String> options, String name) {
        var value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    private static long seconds(double value) {
        return (long) (value * NANOS_PER_SECOND);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        var remaining = nanoTime - System.nanoTime();
        if (remaining > 0) {
            TimeUnit.NANOSECONDS.sleep(remaining);
        }
    }
}
