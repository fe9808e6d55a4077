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


class Helper:
    def __init__(self):
        # key -> (socket, ns, ifname)
        self.sockets = {}
        self.marker_tx = None
        self.marker_rx = None
        self.marker_seq = 0
        self.netlink = {}
        self.stray = 0

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
                self.sockets[key] = (self.open_socket(p['ns'], p['ifname']), p['ns'], p['ifname'])
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
        for key, (s, _, _) in self.sockets.items():
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
        with InNetns(req['ns']):
            r = subprocess.run(req['argv'], input=req.get('input', '').encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return {'status': r.returncode, 'stdout': r.stdout.decode(errors='replace'), 'stderr': r.stderr.decode(errors='replace')}

    def op_run(self, req):
        """Runs commands (argument lists, no shell), each with optional stdin, and answers every exit status and
        stderr. In order, stopping at the first failure; with `parallel`, all at once (independent commands,
        e.g. one batch per namespace). Cheaper than spawning each from Node."""
        steps = req['steps']
        out = []
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

    def op_forget(self, req):
        """Closes sockets that point into namespaces about to be deleted (a socket keeps its namespace alive)."""
        for key in list(self.sockets):
            if self.sockets[key][1] in req['ns']:
                self.sockets.pop(key)[0].close()
        for ns in req['ns']:
            s = self.netlink.pop(ns, None)
            if s:
                s.close()
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
