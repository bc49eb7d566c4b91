"""addauth digest through Coordinator's ZooKeeper port with Debian's python3-kazoo (2.8); run by ZooKeeperClientTests.

usage: /usr/bin/python3 kazoo_auth.py HOSTS PATH USER:PASSWORD
PATH is a node only USER may touch. Prints "OK name" or "FAIL name detail" per check, then "ALL DONE" (exit 0).
"""
import sys

from kazoo.client import KazooClient
from kazoo.exceptions import AuthFailedError, NoAuthError
from kazoo.security import ACL, Id, Permissions

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
    except Exception as other:
        print("  raised " + repr(other), flush=True)
        return False
    return False


hosts, path, credentials = sys.argv[1], sys.argv[2], sys.argv[3]
user = credentials.split(":", 1)[0]

zk = KazooClient(hosts=hosts, timeout=10)
zk.start(timeout=20)
check("an anonymous session is NOAUTH", raises(NoAuthError, lambda: zk.get(path)))
zk.add_auth("digest", credentials)
check("after addauth the user's node reads", zk.get(path)[0] == b"alice's")
zk.set(path, b"changed")
check("and writes", zk.get(path)[0] == b"changed")
zk.create(path + "/mine", b"", acl=[ACL(Permissions.ALL, Id("auth", ""))])
acl, _ = zk.get_acls(path + "/mine")
check("auth at create is the session's user", [(a.id.scheme, a.id.id) for a in acl] == [("digest", user)], acl)
zk.stop()

wrong = KazooClient(hosts=hosts, timeout=10)
wrong.start(timeout=20)
check("a wrong password is AUTHFAILED", raises(AuthFailedError, lambda: wrong.add_auth("digest", user + ":guess")))
wrong.stop()

# Credentials given at connect are sent right after it, as kazoo's auth_data does.
given = KazooClient(hosts=hosts, timeout=10, auth_data=[("digest", credentials)])
given.start(timeout=20)
check("auth_data at connect logs in", given.get(path)[0] == b"changed")
given.stop()

print("ALL DONE" if failures == 0 else f"{failures} FAILED", flush=True)
sys.exit(0 if failures == 0 else 1)
