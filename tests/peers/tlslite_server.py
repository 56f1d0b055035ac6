#!/usr/bin/env python3
"""A real TLS peer that can speak SSL 3.0 (Debian's OpenSSL cannot), for tlsgrade's tests.

usage: tlslite_server.py PORT CERT KEY [--min ssl3] [--max ssl3] [--smtp] [--ems] [--hold]
                         [--poodle]

Serves direct TLS (a tiny reply after the handshake), or with --smtp an SMTP server whose
STARTTLS hands the socket to tlslite-ng. Listens on 127.0.0.1 only. Extended Master Secret is
off unless --ems (tlslite-ng 0.8.2 asserts when a client offers it and SSL 3.0 is chosen), which
also makes this a real TLS 1.2 server without EMS.

--hold keeps a direct-TLS connection open after the handshake, reading until the client ends it
(no greeting). --poodle (implies --hold) is the scripted POODLE-TLS responder: tlslite-ng with
its CBC check patched to ignore the padding bytes (it still checks the padding length and the
MAC), as the F5 and A10 stacks of CVE-2014-8730 did; no maintained server is built that way."""
import argparse, socketserver
from tlslite.api import TLSConnection, HandshakeSettings, X509CertChain, parsePEMKey

V = {"ssl3": (3, 0), "tls1.0": (3, 1), "tls1.1": (3, 2), "tls1.2": (3, 3)}
ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("cert")
ap.add_argument("key")
ap.add_argument("--min", default="ssl3", choices=V)
ap.add_argument("--max", default="ssl3", choices=V)
ap.add_argument("--smtp", action="store_true")
ap.add_argument("--ems", action="store_true")
ap.add_argument("--hold", action="store_true")
ap.add_argument("--poodle", action="store_true")
a = ap.parse_args()
if a.poodle:
    import tlslite.recordlayer as recordlayer

    checked = recordlayer.ct_check_cbc_mac_and_pad

    def padding_length_only(data, mac, seqnumBytes, contentType, version, block_size=16):
        # Make every padding byte what the length byte says, then check as usual.
        data = bytearray(data)
        n = data[-1]
        if n + 1 <= len(data):
            data[len(data) - n - 1 : -1] = bytearray([n] * n)
        return checked(data, mac, seqnumBytes, contentType, version, block_size)

    recordlayer.ct_check_cbc_mac_and_pad = padding_length_only
chain = X509CertChain()
chain.parsePemList(open(a.cert).read())
key = parsePEMKey(open(a.key).read(), private=True)
s = HandshakeSettings()
s.minVersion, s.maxVersion = V[a.min], V[a.max]
s.useExtendedMasterSecret = a.ems
if s.maxVersion <= (3, 0):
    s.cipherNames = s.cipherNames + ["rc4"]


def handshake(sock):
    tls = TLSConnection(sock)
    tls.ignoreAbruptClose = True
    tls.handshakeServer(certChain=chain, privateKey=key, settings=s)
    return tls


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.settimeout(20)
        try:
            if not a.smtp and (a.hold or a.poodle):
                tls = handshake(sock)
                while tls.read():
                    pass
                tls.close()
                return
            if not a.smtp:
                tls = handshake(sock)
                tls.write(b"hello from tlslite\r\n")
                tls.close()
                return
            sock.sendall(b"220 mx.example.test ESMTP tlslite\r\n")
            buf = b""
            while True:
                while b"\r\n" not in buf:
                    chunk = sock.recv(4096)
                    if not chunk:
                        return
                    buf += chunk
                line, buf = buf.split(b"\r\n", 1)
                verb = line[:8].upper()
                if verb.startswith(b"EHLO"):
                    sock.sendall(b"250-mx.example.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
                elif verb.startswith(b"STARTTLS"):
                    sock.sendall(b"220 2.0.0 Ready to start TLS\r\n")
                    tls = handshake(sock)
                    tls.close()
                    return
                elif verb.startswith(b"QUIT"):
                    sock.sendall(b"221 bye\r\n")
                    return
                else:
                    sock.sendall(b"250 OK\r\n")
        except Exception:
            return


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, *args):
        pass


print("listening", flush=True)
Server(("127.0.0.1", a.port), Handler).serve_forever()
