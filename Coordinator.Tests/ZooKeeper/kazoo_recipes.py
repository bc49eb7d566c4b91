"""Debian's python3-kazoo (2.8) recipes against Coordinator's ZooKeeper port, run by ZooKeeperClientTests.

usage: /usr/bin/python3 kazoo_recipes.py HOSTS
Prints "OK name" or "FAIL name detail" per check, then "ALL DONE" when every check passed (exit 0).
"""
import sys
import threading
import time
import uuid

from kazoo.client import KazooClient
from kazoo.recipe.barrier import Barrier, DoubleBarrier
from kazoo.recipe.cache import TreeCache, TreeEvent
from kazoo.recipe.counter import Counter
from kazoo.recipe.election import Election
from kazoo.recipe.lock import Lock, ReadLock, Semaphore, WriteLock
from kazoo.recipe.party import Party, ShallowParty
from kazoo.recipe.queue import LockingQueue, Queue
from kazoo.recipe.watchers import ChildrenWatch, DataWatch

failures = 0


def check(name, ok, detail=""):
    global failures
    print(("OK " if ok else "FAIL ") + name + ("" if ok else " " + repr(detail)), flush=True)
    if not ok:
        failures += 1


def wait_for(condition, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def client(hosts):
    c = KazooClient(hosts=hosts, timeout=10)
    c.start(timeout=30)
    return c


def main(hosts):
    root = "/kazoo-" + uuid.uuid4().hex[:8]
    a, b = client(hosts), client(hosts)

    # Lock: the second contender waits until the first releases.
    first, second = Lock(a, root + "/lock", "a"), Lock(b, root + "/lock", "b")
    first.acquire()
    order = []
    waiter = threading.Thread(target=lambda: (second.acquire(timeout=15), order.append("b"), second.release()))
    waiter.start()
    time.sleep(0.7)
    check("lock excludes", order == [], order)
    check("lock contenders", first.contenders() == ["a", "b"], first.contenders())
    order.append("a-released")
    first.release()
    waiter.join(15)
    check("lock hands over", order == ["a-released", "b"], order)

    # ReadLock / WriteLock: readers share, a writer waits for them.
    read_a, read_b = ReadLock(a, root + "/rw"), ReadLock(b, root + "/rw")
    check("read locks share", read_a.acquire(timeout=5) and read_b.acquire(timeout=5))
    writer = WriteLock(b, root + "/rw")
    check("write lock waits for readers", not writer.acquire(blocking=False))
    read_a.release()
    read_b.release()
    check("write lock after readers", writer.acquire(timeout=5))
    writer.release()

    # Semaphore with two leases.
    s1, s2, s3 = (Semaphore(c, root + "/sem", max_leases=2, identifier=n) for c, n in ((a, "1"), (b, "2"), (a, "3")))
    check("semaphore leases", s1.acquire(timeout=5) and s2.acquire(timeout=5))
    check("semaphore full", not s3.acquire(blocking=False))
    s1.release()
    check("semaphore lease freed", s3.acquire(timeout=5))
    check("semaphore lease holders", sorted(s2.lease_holders()) == ["2", "3"], s2.lease_holders())
    s2.release()
    s3.release()

    # Election: the second candidate leads once the first is done.
    leaders = []
    first_leads = threading.Event()
    ea, eb = Election(a, root + "/election", "a"), Election(b, root + "/election", "b")
    ta = threading.Thread(target=lambda: ea.run(lambda: (leaders.append("a"), first_leads.set(), time.sleep(1))))
    ta.start()
    first_leads.wait(10)
    tb = threading.Thread(target=lambda: eb.run(lambda: leaders.append("b")))
    tb.start()
    time.sleep(0.3)
    check("election contenders", ea.contenders() == ["a", "b"], ea.contenders())
    ta.join(15)
    tb.join(15)
    check("election order", leaders == ["a", "b"], leaders)

    # Barrier and DoubleBarrier.
    barrier = Barrier(a, root + "/barrier")
    barrier.create()
    threading.Timer(0.5, lambda: Barrier(b, root + "/barrier").remove()).start()
    check("barrier", barrier.wait(10))
    entered = []
    doubles = [DoubleBarrier(c, root + "/double", 2) for c in (a, b)]
    threads = [threading.Thread(target=lambda d=d: (d.enter(), entered.append(1), d.leave())) for d in doubles]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    check("double barrier", len(entered) == 2, entered)

    # Counter.
    counter = Counter(a, root + "/counter")
    counter += 5
    Counter(b, root + "/counter").__add__(2)
    counter -= 1
    check("counter", counter.value == 6, counter.value)

    # Queue and LockingQueue.
    queue = Queue(a, root + "/queue")
    queue.put(b"one")
    queue.put(b"two", priority=10)
    queue.put(b"zero", priority=1)
    check("queue order", [queue.get(), queue.get(), queue.get()] == [b"zero", b"two", b"one"])
    locking = LockingQueue(b, root + "/lqueue")
    locking.put(b"job")
    check("locking queue", locking.get(timeout=5) == b"job" and locking.consume())

    # Party and ShallowParty.
    pa, pb = Party(a, root + "/party", "a"), Party(b, root + "/party", "b")
    pa.join()
    pb.join()
    check("party", sorted(pa) == ["a", "b"] and len(pa) == 2, list(pa))
    pb.leave()
    check("party leave", list(pa) == ["a"], list(pa))
    shallow = ShallowParty(b, root + "/shallow", "s")
    shallow.join()
    check("shallow party", list(ShallowParty(a, root + "/shallow")) == ["s"])

    # TreeCache sees a node created and changed by another session.
    a.ensure_path(root + "/tree/x")
    cache = TreeCache(a, root + "/tree")
    seen = []
    cache.listen(lambda event: seen.append(event.event_type))
    cache.start()
    check("tree cache initialized", wait_for(lambda: TreeEvent.INITIALIZED in seen), seen)
    b.create(root + "/tree/x/y", b"1")
    check("tree cache add", wait_for(lambda: (cache.get_data(root + "/tree/x/y") or (None, None))[1] == b"1"))
    b.set(root + "/tree/x/y", b"2")
    check("tree cache update", wait_for(lambda: (cache.get_data(root + "/tree/x/y") or (None, None))[1] == b"2"))
    b.delete(root + "/tree/x/y")
    check("tree cache remove", wait_for(lambda: cache.get_data(root + "/tree/x/y") is None))
    cache.close()

    # DataWatch and ChildrenWatch (kazoo re-registers the one-shot watches itself).
    values, kids = [], []
    a.ensure_path(root + "/watched")
    DataWatch(a, root + "/watched", lambda data, stat: values.append(data))
    ChildrenWatch(a, root + "/watched", lambda children: kids.append(sorted(children)))
    b.set(root + "/watched", b"v1")
    b.create(root + "/watched/c1")
    check("data watch", wait_for(lambda: values and values[-1] == b"v1"), values)
    check("children watch", wait_for(lambda: kids and kids[-1] == ["c1"]), kids)

    # Transactions: a failed check rolls everything back.
    tx = a.transaction()
    tx.create(root + "/t1", b"1")
    tx.check(root + "/watched", 99)
    results = tx.commit()
    check("failed transaction", type(results[1]).__name__ == "BadVersionError" and a.exists(root + "/t1") is None, results)
    tx = a.transaction()
    tx.create(root + "/t1", b"1")
    tx.set_data(root + "/watched", b"v2", version=1)
    results = tx.commit()
    check("transaction", results[0] == root + "/t1" and results[1].version == 2, results)

    # Ephemeral nodes go with their session.
    b.create(root + "/eph", ephemeral=True)
    b.stop()
    b.close()
    a.sync(root)
    check("ephemeral gone after close", a.exists(root + "/eph") is None)
    a.stop()
    a.close()


if __name__ == "__main__":
    main(sys.argv[1])
    print("ALL DONE" if failures == 0 else "FAILURES %d" % failures, flush=True)
    sys.exit(0 if failures == 0 else 1)
