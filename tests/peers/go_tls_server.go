// A real Go crypto/tls server for tlsgrade's tests (Debian's Go 1.19, standard library only).
//
// usage: go-tls-server -port N -cert CHAIN.pem -key KEY.pem [-min 1.2] [-max 1.3]
//
//	[-groups x25519,P-256,P-384,P-521] [-suites NAME,NAME]
//
// Direct TLS on 127.0.0.1:N; after a handshake it writes one line and closes. -groups sets
// CurvePreferences (TLS 1.2 and 1.3 key exchange), -suites the TLS 1.0-1.2 suites by their Go
// names (TLS 1.3 suites cannot be configured in Go). Empty lists keep Go's defaults.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"time"
)

var versions = map[string]uint16{
	"1.0": tls.VersionTLS10, "1.1": tls.VersionTLS11, "1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13,
}

var curves = map[string]tls.CurveID{
	"x25519": tls.X25519, "P-256": tls.CurveP256, "P-384": tls.CurveP384, "P-521": tls.CurveP521,
}

func version(s string) uint16 {
	v, ok := versions[s]
	if !ok {
		log.Fatalf("unknown version %q (1.0, 1.1, 1.2, 1.3)", s)
	}
	return v
}

func main() {
	port := flag.Int("port", 0, "port on 127.0.0.1")
	certFile := flag.String("cert", "", "PEM certificate chain")
	keyFile := flag.String("key", "", "PEM private key")
	minV := flag.String("min", "1.2", "lowest version")
	maxV := flag.String("max", "1.3", "highest version")
	groups := flag.String("groups", "", "comma-separated curves")
	suites := flag.String("suites", "", "comma-separated TLS 1.0-1.2 suite names")
	flag.Parse()

	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatal(err)
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   version(*minV),
		MaxVersion:   version(*maxV),
	}
	for _, g := range strings.Split(*groups, ",") {
		if g == "" {
			continue
		}
		c, ok := curves[g]
		if !ok {
			log.Fatalf("unknown group %q", g)
		}
		cfg.CurvePreferences = append(cfg.CurvePreferences, c)
	}
	byName := map[string]uint16{}
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		byName[s.Name] = s.ID
	}
	for _, s := range strings.Split(*suites, ",") {
		if s == "" {
			continue
		}
		id, ok := byName[s]
		if !ok {
			log.Fatalf("unknown suite %q", s)
		}
		cfg.CipherSuites = append(cfg.CipherSuites, id)
	}

	ln, err := tls.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port), cfg)
	if err != nil {
		log.Fatal(err)
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func(c net.Conn) {
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			if c.(*tls.Conn).Handshake() == nil {
				io.WriteString(c, "hello from Go crypto/tls\r\n")
			}
		}(c)
	}
}
