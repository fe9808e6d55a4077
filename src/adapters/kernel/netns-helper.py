#!/usr/bin/env python3
# podflow kernel adapter: the packet helper. One long-lived process, standard library only, speaking JSON lines
# on stdin/stdout. It opens AF_PACKET sockets inside the adapter's network namespaces (setns into the namespace,
# create the socket, setns back: a socket stays in the namespace it was created in), sends frames, collects
# what the capture sockets saw, flushes conntrack (ctnetlink) and runs commands inside a namespace.
#
# Knowing when a frame has finished travelling: the helper is pinned to one CPU, so every veth hop of the
# frame is queued on that CPU's backlog (no RPS in our namespaces). After sending, it sends marker frames over
# a dedicated veth pair and waits for each to arrive: a marker is processed after everything queued before it.
# It repeats `rounds` times (each round advances the slowest pending hop by at least one), which covers the
# longest chain in this design (pod → node → underlay → node → pod is 6 queued hops).
#
# Requests: {"op": ..., ...}; answers: {"ok": true, ...} or {"ok": false, "error": "..."}.
import ctypes
import json
import os
import re
import select
import socket
import struct
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
MARKER_ETHERTYPE = 0x88B5  # IEEE local experimental ethertype
SOL_PACKET = 263
PACKET_IGNORE_OUTGOING = 23
NETLINK_NETFILTER = 12

libc = ctypes.CDLL(None, use_errno=True)
HOME_NS = os.open('/proc/self/ns/net', os.O_RDONLY)
# the CPUs the helper may use before it pins itself to one (see the top): its batch processes use them all
ALL_CPUS = os.sched_getaffinity(0)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, 'setns: ' + os.strerror(err))


class InNetns:
    """Runs a block inside the named network namespace (/run/netns/<name>), then returns home."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        try:
            fd = os.open('/run/netns/' + self.name, os.O_RDONLY)
        except FileNotFoundError:
            raise RuntimeError('network namespace %s does not exist' % self.name)
        try:
            setns(fd)
        finally:
            os.close(fd)

    def __exit__(self, *exc):
        setns(HOME_NS)
        return False


BATCH_SYNC = {
    # a command that fails at once without touching anything: its "Command failed -:N" line tells that every
    # line sent before it has run (iproute2 processes a batch line by line as it arrives; stderr is unbuffered)
    'ip': ('link show dev pfsync\n', 'Device "pfsync" does not exist.\n'),
    'bridge': ('link show dev pfsync\n', 'Cannot find device "pfsync"\n'),
}
BATCH_MAX_INPUT = 48 * 1024  # stays below a pipe's buffer: writing the whole input never blocks
FAILED_RE = re.compile(r'Command failed -:(\d+)\n')


class Batcher:
    """A long-lived `ip|bridge -n NS -force -batch -`: a batch of lines costs no process start (a few ms each,
    the cost of setup before). Lines are numbered over the process's life; a batch's failures are renumbered
    from 1 as a one-shot `-batch -` would report them. A process that exits (some iproute2 errors exit) answers
    what it printed and a failure, and is started again for the next batch."""

    def __init__(self, tool, ns):
        self.tool = tool
        self.ns = ns
        self.p = subprocess.Popen([tool, '-n', ns, '-force', '-batch', '-'], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            # batches of different namespaces run side by side; only the helper's own sends need one CPU
            os.sched_setaffinity(self.p.pid, ALL_CPUS)
        except OSError:
            pass
        self.fd = self.p.stderr.fileno()
        os.set_blocking(self.fd, False)
        self.lines = 0
        self.buf = b''
        self.dead = False

    def send(self, text):
        self.start = self.lines
        self.sync = self.lines + text.count('\n') + 1
        self.lines = self.sync
        self.buf = b''
        try:
            self.p.stdin.write((text + BATCH_SYNC[self.tool][0]).encode())
            self.p.stdin.flush()
        except OSError:
            self.dead = True

    def read(self):
        """Reads what stderr has; True once the batch is over (its sync line failed, or the process ended)."""
        try:
            chunk = os.read(self.fd, 65536)
        except BlockingIOError:
            return False
        except OSError:
            chunk = b''
        if not chunk:
            self.dead = True
            return True
        self.buf += chunk
        return ('Command failed -:%d\n' % self.sync).encode() in self.buf

    def result(self):
        text = self.buf.decode(errors='replace')
        if not self.dead:
            text = text[:text.index('Command failed -:%d\n' % self.sync)]
            if text.endswith(BATCH_SYNC[self.tool][1]):
                text = text[:-len(BATCH_SYNC[self.tool][1])]
        # a process that ended in the middle (iproute2 exits on some errors) failed, as a one-shot one would have
        failed = self.dead

        def renumber(m):
            nonlocal failed
            failed = True
            return 'Command failed -:%d\n' % (int(m.group(1)) - self.start)
        text = FAILED_RE.sub(renumber, text)
        if self.dead and not text:
            text = '%s -n %s -batch ended without a message\n' % (self.tool, self.ns)
        return {'status': 1 if failed else 0, 'stderr': text}

    def close(self):
        try:
            self.p.kill()
            self.p.wait()
        except OSError:
            pass


class Nftables:
    """libnftables through ctypes (the library nft itself is): a context per namespace, created inside it, so
    its netlink socket stays there; a ruleset load costs no process start. None when the library is missing
    (the caller runs `nft` then)."""

    def __init__(self):
        lib = ctypes.CDLL('libnftables.so.1', use_errno=True)
        lib.nft_ctx_new.restype = ctypes.c_void_p
        lib.nft_ctx_new.argtypes = [ctypes.c_uint32]
        for f in ('nft_ctx_buffer_output', 'nft_ctx_buffer_error'):
            getattr(lib, f).argtypes = [ctypes.c_void_p]
            getattr(lib, f).restype = ctypes.c_int
        lib.nft_run_cmd_from_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.nft_run_cmd_from_buffer.restype = ctypes.c_int
        for f in ('nft_ctx_get_output_buffer', 'nft_ctx_get_error_buffer'):
            getattr(lib, f).argtypes = [ctypes.c_void_p]
            getattr(lib, f).restype = ctypes.c_char_p
        lib.nft_ctx_free.argtypes = [ctypes.c_void_p]
        lib.nft_ctx_free.restype = None
        self.lib = lib
        self.ctx = {}

    def run(self, ns, text):
        with InNetns(ns):
            ctx = self.ctx.get(ns)
            if ctx is None:
                ctx = self.lib.nft_ctx_new(0)
                if not ctx:
                    raise RuntimeError('libnftables: cannot create a context in %s' % ns)
                self.lib.nft_ctx_buffer_output(ctx)
                self.lib.nft_ctx_buffer_error(ctx)
                self.ctx[ns] = ctx
            rc = self.lib.nft_run_cmd_from_buffer(ctx, text.encode())
            out = (self.lib.nft_ctx_get_output_buffer(ctx) or b'').decode(errors='replace')
            err = (self.lib.nft_ctx_get_error_buffer(ctx) or b'').decode(errors='replace')
        return {'status': 0 if rc == 0 else 1, 'stdout': out, 'stderr': err}

    def forget(self, ns):
        ctx = self.ctx.pop(ns, None)
        if ctx:
            self.lib.nft_ctx_free(ctx)


def load_nftables():
    if os.environ.get('PODFLOW_KERNEL_NFT_PROCESS') == '1':
        return None
    try:
        return Nftables()
    except (OSError, AttributeError):
        return None


class Helper:
    def __init__(self):
        # key -> (socket, ns, ifname)
        self.sockets = {}
        self.marker_tx = None
        self.marker_rx = None
        self.marker_seq = 0
        self.netlink = {}
        self.stray = 0
        # capture sockets by fd, in the order they were opened: a drain reads only the sockets epoll says have
        # frames, in that order (as a walk over every socket would)
        self.poller = select.epoll()
        self.by_fd = {}
        self.opened = 0
        # (tool, ns) -> Batcher
        self.batchers = {}
        self.nft = load_nftables()

    # --- capture sockets -------------------------------------------------------------------------------------
    def open_socket(self, ns, ifname):
        with InNetns(ns):
            # protocol 0 first, then bind with ETH_P_ALL: binding a socket that is already hooked in waits for an
            # RCU grace period (synchronize_net), and so does close(); sockets are therefore opened once and kept
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
                s.bind((ifname, ETH_P_ALL))
            except OSError as e:
                s.close()
                raise RuntimeError('cannot open a packet socket on %s in %s: %s' % (ifname, ns, e))
            s.setblocking(False)
            return s

    def op_sockets(self, req):
        """Opens a socket for each of `points` ({key, ns, ifname}) not open yet. Sockets are never closed here (a
        close costs an RCU grace period): frames of sockets the caller no longer maps are simply ignored by it."""
        wanted = {p['key']: p for p in req['points']}
        for key, p in wanted.items():
            if key not in self.sockets:
                sock = self.open_socket(p['ns'], p['ifname'])
                self.sockets[key] = (sock, p['ns'], p['ifname'])
                self.opened += 1
                self.by_fd[sock.fileno()] = (self.opened, key, sock)
                self.poller.register(sock.fileno(), select.EPOLLIN)
        m = req.get('marker')
        if m:
            if self.marker_tx is not None and self.marker_key != m['key']:
                self.marker_tx.close()
                self.marker_rx.close()
                self.marker_tx = None
            if self.marker_tx is None:
                self.marker_tx = self.open_socket(m['ns'], m['tx'])
                self.marker_rx = self.open_socket(m['ns'], m['rx'])
                self.marker_key = m['key']
                cpu = sorted(os.sched_getaffinity(0))[0]
                os.sched_setaffinity(0, {cpu})
        return {'open': len(self.sockets)}

    def drain(self, out):
        """Reads every queued frame of every capture socket into out as [key, outgoing, hex]."""
        got = 0
        ready = sorted(self.by_fd[fd] for fd, _ in self.poller.poll(0) if fd in self.by_fd)
        for _, key, s in ready:
            while True:
                try:
                    data, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                except OSError:
                    break
                if out is not None:
                    out.append([key, addr[2] == PACKET_OUTGOING, data.hex()])
                got += 1
        return got

    def marker_round(self, timeout):
        self.marker_seq += 1
        seq = self.marker_seq
        frame = b'\xff' * 6 + b'\x02\x00\x00\x00\x00\x01' + struct.pack('!HI', MARKER_ETHERTYPE, seq) + b'\x00' * 40
        self.marker_tx.send(frame)
        deadline = time.monotonic() + timeout
        while True:
            try:
                data = self.marker_rx.recv(128)
                if len(data) >= 18 and struct.unpack('!H', data[12:14])[0] == MARKER_ETHERTYPE and struct.unpack('!I', data[14:18])[0] == seq:
                    return True
                continue
            except BlockingIOError:
                pass
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            select.select([self.marker_rx], [], [], left)

    def op_inject(self, req):
        if self.marker_tx is None:
            raise RuntimeError('inject before the capture sockets were opened')
        rounds = int(req.get('rounds', 8))
        results = []
        stray = self.drain(None)
        self.stray += stray
        for f in req['frames']:
            key = f['via']
            if key not in self.sockets:
                raise RuntimeError('no socket %s to send on' % key)
            caps = []
            data = bytes.fromhex(f['data'])
            if len(data) < 14:
                # shorter than an Ethernet header: no NIC can put it on a link (AF_PACKET refuses it too)
                results.append({'captures': caps, 'lateMarkers': 0, 'unsendable': True})
                continue
            self.sockets[key][0].send(data)
            late = 0
            for r in range(rounds):
                if not self.marker_round(0.2):
                    late += 1
                self.drain(caps)
            # a last settle: anything still in flight after the markers is reported, not guessed
            results.append({'captures': caps, 'lateMarkers': late})
        return {'results': results, 'stray': stray}

    # --- namespace utilities ---------------------------------------------------------------------------------
    def op_ctflush(self, req):
        for ns in req['ns']:
            s = self.netlink.get(ns)
            if s is None:
                with InNetns(ns):
                    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
                    s.bind((0, 0))
                self.netlink[ns] = s
            # nlmsghdr + nfgenmsg: IPCTNL_MSG_CT_DELETE (2) of subsystem CTNETLINK (1) without a tuple = flush; with
            # CTA_MARK (8) and CTA_MARK_MASK (21), big-endian u32 each, only the entries whose mark & mask == mark
            attrs = b''
            if req.get('mark') is not None:
                mark, mask = req['mark']
                attrs = struct.pack('=HH', 8, 8) + struct.pack('>I', mark) + struct.pack('=HH', 8, 21) + struct.pack('>I', mask)
            msg = struct.pack('=IHHII', 20 + len(attrs), (1 << 8) | 2, 0x1 | 0x4, 1, 0) + struct.pack('=BBH', socket.AF_INET, 0, 0) + attrs
            s.send(msg)
            ans = s.recv(65535)
            if len(ans) >= 20:
                (_, typ, _, _, _) = struct.unpack('=IHHII', ans[:16])
                err = struct.unpack('=i', ans[16:20])[0]
                if typ == 2 and err != 0 and err != -2:  # NLMSG_ERROR; ENOENT = nothing to flush
                    raise RuntimeError('conntrack flush in %s: %s' % (ns, os.strerror(-err)))
        return {}

    def op_sysctl(self, req):
        with InNetns(req['ns']):
            for path, value in req['values']:
                with open('/proc/sys/' + path.replace('.', '/'), 'w') as fh:
                    fh.write(str(value))
        return {}

    def op_exec(self, req):
        if req['argv'] == ['nft', '-f', '-'] and self.nft is not None:
            return self.nft.run(req['ns'], req.get('input', ''))
        with InNetns(req['ns']):
            r = subprocess.run(req['argv'], input=req.get('input', '').encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return {'status': r.returncode, 'stdout': r.stdout.decode(errors='replace'), 'stderr': r.stderr.decode(errors='replace')}

    def op_run(self, req):
        """Runs commands (argument lists, no shell), each with optional stdin, and answers every exit status and
        stderr. In order, stopping at the first failure; with `parallel`, all at once (independent commands,
        e.g. one batch per namespace). Cheaper than spawning each from Node."""
        steps = req['steps']
        out = []
        if req.get('parallel') and all(self.batchable(st) for st in steps):
            return {'results': self.run_batches(steps)}
        if req.get('parallel'):
            procs = [subprocess.Popen(st['argv'], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for st in steps]
            for st, p in zip(steps, procs):
                _, err = p.communicate(st.get('input', '').encode())
                out.append({'status': p.returncode, 'stderr': err.decode(errors='replace')})
            return {'results': out}
        for st in steps:
            r = subprocess.run(st['argv'], input=st.get('input', '').encode(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            out.append({'status': r.returncode, 'stderr': r.stderr.decode(errors='replace')})
            if r.returncode != 0 and not st.get('force'):
                break
        return {'results': out}

    @staticmethod
    def batchable(st):
        a = st['argv']
        return len(a) == 6 and a[0] in BATCH_SYNC and a[1] == '-n' and a[3:] == ['-force', '-batch', '-'] and len(st.get('input', '')) <= BATCH_MAX_INPUT and st.get('input', '').endswith('\n')

    def run_batches(self, steps, timeout=60.0):
        """Batches of different namespaces, each sent to its namespace's long-lived batch process, all at once."""
        running = []
        for st in steps:
            key = (st['argv'][0], st['argv'][2])
            b = self.batchers.get(key)
            if b is None or b.dead or b.p.poll() is not None:
                if b is not None:
                    b.close()
                b = self.batchers[key] = Batcher(key[0], key[1])
            b.send(st['input'])
            running.append(b)
        pending = {b.fd: b for b in running if not b.dead}
        deadline = time.monotonic() + timeout
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                for b in pending.values():
                    b.close()
                    b.dead = True
                    b.buf += b'timed out'
                break
            ready, _, _ = select.select(list(pending), [], [], left)
            for fd in ready:
                if pending[fd].read():
                    del pending[fd]
        out = []
        for b in running:
            r = b.result()
            if b.dead:
                b.close()
                self.batchers.pop((b.tool, b.ns), None)
            out.append(r)
        return out

    def op_respawn(self, req):
        """Ends the batch processes and nftables contexts of these namespaces (devices in them were made again:
        iproute2 may remember an old interface index)."""
        for ns in req['ns']:
            for key in [k for k in self.batchers if k[1] == ns]:
                self.batchers.pop(key).close()
            if self.nft is not None:
                self.nft.forget(ns)
        return {}

    def op_forget(self, req):
        """Closes sockets that point into namespaces about to be deleted (a socket keeps its namespace alive)."""
        for key in list(self.sockets):
            if self.sockets[key][1] in req['ns']:
                sock = self.sockets.pop(key)[0]
                self.poller.unregister(sock.fileno())
                del self.by_fd[sock.fileno()]
                sock.close()
        for ns in req['ns']:
            s = self.netlink.pop(ns, None)
            if s:
                s.close()
        # a process or a socket inside a namespace keeps it alive
        self.op_respawn(req)
        if self.marker_tx is not None and req.get('marker'):
            self.marker_tx.close()
            self.marker_rx.close()
            self.marker_tx = None
        return {}


def main():
    h = Helper()
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            op = req.get('op')
            if op == 'quit':
                out.write(json.dumps({'ok': True, 'id': req.get('id')}) + '\n')
                out.flush()
                return
            fn = getattr(h, 'op_' + str(op), None)
            if fn is None:
                raise RuntimeError('unknown op %r' % op)
            ans = fn(req)
            ans['ok'] = True
        except Exception as e:  # answered, never fatal: the adapter decides
            ans = {'ok': False, 'error': '%s: %s' % (type(e).__name__, e)}
        ans['id'] = req.get('id') if isinstance(req, dict) else None
        out.write(json.dumps(ans) + '\n')
        out.flush()


if __name__ == '__main__':
    main()
