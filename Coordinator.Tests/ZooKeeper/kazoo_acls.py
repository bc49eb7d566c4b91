"""ACLs given at create and changed with setACL through Coordinator's ZooKeeper port, with Debian's python3-kazoo (2.8);
run by ZooKeeperClientTests.

usage: /usr/bin/python3 kazoo_acls.py HOSTS
Prints "OK name" or "FAIL name detail" per check, then "ALL DONE" when every check passed (exit 0).
"""
import sys
import uuid

from kazoo.client import KazooClient
from kazoo.exceptions import BadVersionError, InvalidACLError, NoAuthError
from kazoo.security import ACL, Id, OPEN_ACL_UNSAFE, Permissions, make_acl

failures = 0


def check(name, ok, detail=""):
    global failures
    print(("OK " if ok else "FAIL ") + name + ("" if ok else " " + repr(detail)), flush=True)
    if not ok:
        failures += 1


def raises(error, call):
    try:
        call()
    except error:
        return True
    except Exception as other:  # a different refusal is a failure too
        print("  raised " + repr(other), flush=True)
        return False
    return False


zk = KazooClient(hosts=sys.argv[1], timeout=10)
zk.start(timeout=20)
root = "/kazoo-acl-" + uuid.uuid4().hex[:8]
zk.create(root, b"")

read_only = root + "/read-only"
zk.create(read_only, b"a", acl=[make_acl("world", "anyone", read=True)])
acl, stat = zk.get_acls(read_only)
check("create keeps its acl", [(a.perms, a.id.scheme, a.id.id) for a in acl] == [(Permissions.READ, "world", "anyone")], acl)
check("a new node has acl version 0", stat.aversion == 0, stat)
check("write without WRITE is NOAUTH", raises(NoAuthError, lambda: zk.set(read_only, b"b")))
check("setACL without ADMIN is NOAUTH", raises(NoAuthError, lambda: zk.set_acls(read_only, OPEN_ACL_UNSAFE)))
check("refused ops change nothing", zk.get(read_only)[0] == b"a")

open_node = root + "/open"
zk.create(open_node, b"", acl=OPEN_ACL_UNSAFE)
changed = [make_acl("world", "anyone", read=True, admin=True)]
check("setACL with a stale version is BADVERSION", raises(BadVersionError, lambda: zk.set_acls(open_node, changed, version=5)))
stat = zk.set_acls(open_node, changed, version=0)
check("setACL answers the acl version", stat.aversion == 1, stat)
acl, _ = zk.get_acls(open_node)
check("setACL replaces the acl", [(a.perms, a.id.scheme) for a in acl] == [(Permissions.READ | Permissions.ADMIN, "world")], acl)
check("the new acl is enforced", raises(NoAuthError, lambda: zk.set(open_node, b"x")))

check("an unknown scheme is INVALIDACL", raises(InvalidACLError, lambda: zk.create(root + "/ip", b"", acl=[ACL(Permissions.ALL, Id("ip", "127.0.0.1"))])))
check("auth from an anonymous session is INVALIDACL", raises(InvalidACLError, lambda: zk.create(root + "/auth", b"", acl=[ACL(Permissions.ALL, Id("auth", ""))])))
check("setACL to an invalid acl is INVALIDACL", raises(InvalidACLError, lambda: zk.set_acls(open_node, [ACL(Permissions.ALL, Id("ip", "1.2.3.4"))])))

zk.stop()
print("ALL DONE" if failures == 0 else f"{failures} FAILED", flush=True)
sys.exit(0 if failures == 0 else 1)
