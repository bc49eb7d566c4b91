import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * The unmodified ZooKeeper 3.8 Java client (Debian's libzookeeper-java) against Coordinator's ZooKeeper port, run by
 * ZooKeeperClientTests: one line "OK name" or "FAIL name detail" per check, then "ALL DONE" when every check passed.
 *   basic HOSTS           tree operations, errors, multi, sync, one-shot and persistent recursive watches
 *   failover HOSTS DIR    prints "CONNECTED port", waits for DIR/killed, then checks session, ephemeral and watch
 */
public class ZkProbe {
    private static final List<org.apache.zookeeper.data.ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;
    private static int failures;

    public static void main(String[] args) throws Exception {
        if (args[0].equals("basic")) {
            basic(args[1]);
        } else {
            failover(args[1], args[2]);
        }
        System.out.println(failures == 0 ? "ALL DONE" : "FAILURES " + failures);
        System.out.flush();
        System.exit(failures == 0 ? 0 : 1);
    }

    private static void check(String name, boolean ok, Object detail) {
        System.out.println((ok ? "OK " : "FAIL ") + name + (ok ? "" : " " + detail));
        System.out.flush();
        if (!ok) {
            failures++;
        }
    }

    private static ZooKeeper connect(String hosts, BlockingQueue<WatchedEvent> states) throws Exception {
        CountDownLatch up = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(hosts, 10000, event -> {
            if (event.getType() == EventType.None) {
                if (event.getState() == KeeperState.SyncConnected) {
                    up.countDown();
                }
                if (states != null) {
                    states.add(event);
                }
            }
        });
        if (!up.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no connection to " + hosts);
        }
        return zk;
    }

    /** The next node event: every watcher also hears the connection's state changes, which are not what a check waits for. */
    private static WatchedEvent next(BlockingQueue<WatchedEvent> events, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            WatchedEvent event = events.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            if (event != null && event.getType() != EventType.None) {
                return event;
            }
        }
        return null;
    }

    private static boolean is(WatchedEvent event, EventType type, String path) {
        return event != null && event.getType() == type && path.equals(event.getPath());
    }

    private static void basic(String hosts) throws Exception {
        ZooKeeper a = connect(hosts, null);
        ZooKeeper b = connect(hosts, null);
        BlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
        String root = "/java-" + System.nanoTime();

        check("create", a.create(root, "v0".getBytes(), OPEN, CreateMode.PERSISTENT).equals(root), "");
        Stat stat = new Stat();
        byte[] data = a.getData(root, false, stat);
        check("getData", new String(data).equals("v0") && stat.getVersion() == 0 && stat.getDataLength() == 2, stat);

        a.getData(root, events::add, null);
        Stat set = b.setData(root, "v1".getBytes(), 0);
        check("setData", set.getVersion() == 1, set);
        WatchedEvent event = next(events, 10);
        check("data watch", is(event, EventType.NodeDataChanged, root), event);
        check("read after the event sees the change", new String(a.getData(root, false, null)).equals("v1"), "");

        try {
            b.setData(root, "x".getBytes(), 0);
            check("bad version", false, "no error");
        } catch (KeeperException.BadVersionException expected) {
            check("bad version", true, "");
        }
        try {
            a.create(root, null, OPEN, CreateMode.PERSISTENT);
            check("node exists", false, "no error");
        } catch (KeeperException.NodeExistsException expected) {
            check("node exists", true, "");
        }
        try {
            a.getData(root + "/none", false, null);
            check("no node", false, "no error");
        } catch (KeeperException.NoNodeException expected) {
            check("no node", true, "");
        }

        a.getChildren(root, events::add);
        String sequential = b.create(root + "/s-", new byte[0], OPEN, CreateMode.EPHEMERAL_SEQUENTIAL);
        check("ephemeral sequential", sequential.matches(root + "/s-\\d{10}"), sequential);
        event = next(events, 10);
        check("child watch", is(event, EventType.NodeChildrenChanged, root), event);
        Stat parent = new Stat();
        List<String> children = a.getChildren(root, false, parent);
        check("getChildren2", children.size() == 1 && parent.getNumChildren() == 1 && parent.getCversion() == 1, children + " " + parent);
        Stat owner = a.exists(sequential, false);
        check("ephemeral owner", owner != null && owner.getEphemeralOwner() == b.getSessionId(), owner);

        check("exists of a missing node", a.exists(root + "/later", events::add) == null, "");
        b.create(root + "/later", new byte[0], OPEN, CreateMode.PERSISTENT);
        event = next(events, 10);
        check("exists watch", is(event, EventType.NodeCreated, root + "/later"), event);

        try {
            b.delete(root, -1);
            check("not empty", false, "no error");
        } catch (KeeperException.NotEmptyException expected) {
            check("not empty", true, "");
        }

        List<OpResult> results = a.multi(Arrays.asList(
            Op.create(root + "/m1", "1".getBytes(), OPEN, CreateMode.PERSISTENT),
            Op.setData(root, "v2".getBytes(), 1),
            Op.check(root, 2),
            Op.delete(root + "/later", -1)));
        check("multi", results.size() == 4 && results.get(0) instanceof OpResult.CreateResult
            && ((OpResult.SetDataResult) results.get(1)).getStat().getVersion() == 2
            && results.get(2) instanceof OpResult.CheckResult && results.get(3) instanceof OpResult.DeleteResult, results);
        try {
            a.multi(Arrays.asList(Op.create(root + "/m2", new byte[0], OPEN, CreateMode.PERSISTENT), Op.check(root, 99)));
            check("failed multi", false, "no error");
        } catch (KeeperException.BadVersionException failed) {
            List<OpResult> perOp = failed.getResults();
            check("failed multi results", perOp.size() == 2
                && ((OpResult.ErrorResult) perOp.get(0)).getErr() == 0
                && ((OpResult.ErrorResult) perOp.get(1)).getErr() == KeeperException.Code.BADVERSION.intValue(), perOp);
            check("failed multi changed nothing", a.exists(root + "/m2", false) == null, "");
        }

        CountDownLatch synced = new CountDownLatch(1);
        a.sync(root, (rc, path, ctx) -> {
            if (rc == 0) {
                synced.countDown();
            }
        }, null);
        check("sync", synced.await(10, TimeUnit.SECONDS), "");

        String container = a.create(root + "/c", new byte[0], OPEN, CreateMode.CONTAINER);
        check("container", container.equals(root + "/c"), container);
        Stat ttlStat = new Stat();
        String ttl = a.create(root + "/t", new byte[0], OPEN, CreateMode.PERSISTENT_WITH_TTL, ttlStat, 60000);
        check("ttl node", ttl.equals(root + "/t") && ttlStat.getCzxid() > 0, ttl);

        List<String> ephemerals = b.getEphemerals(root);
        check("getEphemerals", ephemerals.equals(List.of(sequential)), ephemerals);
        check("getAllChildrenNumber", a.getAllChildrenNumber(root) == 4, a.getAllChildrenNumber(root));
        Stat aclSet = a.setACL(root, OPEN, -1);
        check("setACL", aclSet.getAversion() == 1 && a.getACL(root, new Stat()).equals(OPEN), aclSet);

        events.clear();
        a.addWatch(root + "/m1", events::add, AddWatchMode.PERSISTENT_RECURSIVE);
        b.create(root + "/m1/deep", new byte[0], OPEN, CreateMode.PERSISTENT);
        b.setData(root + "/m1/deep", "d".getBytes(), -1);
        WatchedEvent created = next(events, 10);
        WatchedEvent changed = next(events, 10);
        check("persistent recursive watch", is(created, EventType.NodeCreated, root + "/m1/deep")
            && is(changed, EventType.NodeDataChanged, root + "/m1/deep"), created + " " + changed);

        b.close();
        a.sync(root, null, null);
        check("ephemeral gone with its closed session", a.exists(sequential, false) == null, "");
        a.close();
    }

    private static void failover(String hosts, String dir) throws Exception {
        BlockingQueue<WatchedEvent> states = new LinkedBlockingQueue<>();
        BlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
        ZooKeeper a = connect(hosts, states);
        String root = "/failover-" + System.nanoTime();
        a.create(root, "v0".getBytes(), OPEN, CreateMode.PERSISTENT);
        String ephemeral = a.create(root + "/eph", new byte[0], OPEN, CreateMode.EPHEMERAL);
        a.getData(root, events::add, null);
        a.create(root + "/tree", new byte[0], OPEN, CreateMode.PERSISTENT);
        BlockingQueue<WatchedEvent> tree = new LinkedBlockingQueue<>();
        a.addWatch(root + "/tree", tree::add, AddWatchMode.PERSISTENT_RECURSIVE);
        long session = a.getSessionId();
        String before = remotePort(a);
        states.clear();
        System.out.println("CONNECTED " + before);
        System.out.flush();

        long deadline = System.currentTimeMillis() + 60000;
        while (!Files.exists(Path.of(dir, "killed")) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        boolean disconnected = false;
        boolean reconnected = false;
        ZooKeeper b = null;
        while (!reconnected && System.currentTimeMillis() < deadline) {
            WatchedEvent state = states.poll(1, TimeUnit.SECONDS);
            if (state == null) {
                continue;
            }
            System.out.println("STATE " + state.getState());
            if (state.getState() == KeeperState.Disconnected && !disconnected) {
                // Changed while this client is between replicas: its persistent watch must still hear of it.
                b = connect(hosts, null);
                b.create(root + "/tree/during", new byte[0], OPEN, CreateMode.PERSISTENT);
            }
            disconnected |= state.getState() == KeeperState.Disconnected;
            reconnected = disconnected && state.getState() == KeeperState.SyncConnected;
            check("session not expired", state.getState() != KeeperState.Expired, state);
        }
        check("reconnected", reconnected, "");
        check("same session", a.getSessionId() == session, Long.toHexString(a.getSessionId()));
        String after = remotePort(a);
        check("moved to another server", !after.equals(before), before + " -> " + after);

        if (b == null) {
            b = connect(hosts, null);
            b.create(root + "/tree/during", new byte[0], OPEN, CreateMode.PERSISTENT);
        }
        WatchedEvent during = next(tree, 15);
        check("persistent watch kept", is(during, EventType.NodeCreated, root + "/tree/during"), during);
        CountDownLatch synced = new CountDownLatch(1);
        b.sync(root, (rc, path, ctx) -> synced.countDown(), null);
        synced.await(10, TimeUnit.SECONDS);
        Stat kept = b.exists(ephemeral, false);
        check("ephemeral kept", kept != null && kept.getEphemeralOwner() == session, kept);
        b.setData(root, "v1".getBytes(), -1);
        WatchedEvent event = next(events, 15);
        check("watch kept", is(event, EventType.NodeDataChanged, root), event);
        check("writes after the move", a.setData(root, "v2".getBytes(), 1).getVersion() == 2, "");
        b.close();
        a.close();
    }

    /** The port of the server the client is connected to, from its toString ("remoteserver:host/ip:port"). */
    private static String remotePort(ZooKeeper zk) {
        Matcher match = Pattern.compile("remoteserver:[^ ]*:(\\d+)").matcher(zk.toString());
        return match.find() ? match.group(1) : "unknown: " + zk;
    }
}
