// Package flowlogs generates realistic VPC flow log records (version 2,
// the default format) and writes them into a CloudWatch Logs group over
// the public API: the load behind `tributary flowlogs` and the issue-5
// pipeline tests.
package flowlogs

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Record is one version-2 flow log record:
// version account-id interface-id srcaddr dstaddr srcport dstport protocol
// packets bytes start end action log-status.
type Record struct {
	AccountID string
	ENI       string
	SrcAddr   string
	DstAddr   string
	SrcPort   int
	DstPort   int
	Protocol  int // IANA number: 6 TCP, 17 UDP, 1 ICMP
	Packets   int
	Bytes     int
	Start     int64 // Unix seconds of the capture window
	End       int64
	Action    string // ACCEPT or REJECT; "" for NODATA and SKIPDATA
	Status    string // OK, NODATA or SKIPDATA
}

// String renders the record as AWS writes it: NODATA and SKIPDATA records
// carry "-" for every traffic field.
func (r Record) String() string {
	if r.Status != "OK" {
		return fmt.Sprintf("2 %s %s - - - - - - - %d %d - %s", r.AccountID, r.ENI, r.Start, r.End, r.Status)
	}
	return fmt.Sprintf("2 %s %s %s %s %d %d %d %d %d %d %d %s OK", r.AccountID, r.ENI, r.SrcAddr, r.DstAddr,
		r.SrcPort, r.DstPort, r.Protocol, r.Packets, r.Bytes, r.Start, r.End, r.Action)
}

// RejectedSSH reports whether the record is a rejected TCP connection to
// port 22 (what the issue-5 subscription filter selects).
func (r Record) RejectedSSH() bool {
	return r.Status == "OK" && r.Action == "REJECT" && r.DstPort == 22 && r.Protocol == 6
}

// StreamName is the log stream AWS writes an interface's records to.
func StreamName(eni string) string { return eni + "-all" }

// Config shapes the traffic.
type Config struct {
	AccountID   string  // default 123456789012
	ENIs        int     // network interfaces, one log stream each (default 1)
	RejectRatio float64 // share of OK records that are REJECT (0..1)
	Seed        uint64  // the same seed gives the same records
}

// Generator produces records; not safe for concurrent use.
type Generator struct {
	cfg   Config
	rng   *rand.Rand
	enis  []string
	addrs []string // each interface's private address
	next  int
}

// service is a destination port with its protocol and how often it is hit.
type service struct {
	port, proto, weight int
}

// services: SSH is common enough that rejected SSH is a fair sample.
var services = [...]service{{443, 6, 30}, {80, 6, 15}, {22, 6, 15}, {3389, 6, 5}, {53, 17, 15}, {123, 17, 5}, {5432, 6, 5}, {0, 1, 5}, {8080, 6, 5}}

const servicesWeight = 100

// NewGenerator builds a generator; its interfaces have fixed ids.
func NewGenerator(cfg Config) *Generator {
	if cfg.AccountID == "" {
		cfg.AccountID = "123456789012"
	}
	cfg.ENIs = max(cfg.ENIs, 1)
	g := &Generator{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}
	for i := range cfg.ENIs {
		g.enis = append(g.enis, fmt.Sprintf("eni-0%016x", g.rng.Uint64()))
		g.addrs = append(g.addrs, fmt.Sprintf("10.0.%d.%d", i/250, i%250+4))
	}
	return g
}

// ENIs are the interface ids, in a fixed order.
func (g *Generator) ENIs() []string { return g.enis }

// Next returns the next record, of the interfaces in turn, its capture
// window ending at now: about 3% NODATA, 1% SKIPDATA, the rest OK traffic
// with RejectRatio of it rejected.
func (g *Generator) Next(now time.Time) Record {
	i := g.next
	g.next = (g.next + 1) % len(g.enis)
	end := now.Unix()
	r := Record{AccountID: g.cfg.AccountID, ENI: g.enis[i], Start: end - 60 + int64(g.rng.IntN(5)), End: end, Status: "OK"}
	switch p := g.rng.IntN(100); {
	case p < 3:
		r.Status = "NODATA"
		return r
	case p < 4:
		r.Status = "SKIPDATA"
		return r
	}
	svc := g.pickService()
	r.Protocol, r.DstPort = svc.proto, svc.port
	if svc.proto == 1 {
		r.SrcPort, r.DstPort = 0, 0
	} else {
		r.SrcPort = 32768 + g.rng.IntN(28232)
	}
	// Inbound: a public source to this interface.
	r.SrcAddr = fmt.Sprintf("%d.%d.%d.%d", 1+g.rng.IntN(222), g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
	r.DstAddr = g.addrs[i]
	r.Action = "ACCEPT"
	if g.rng.Float64() < g.cfg.RejectRatio {
		r.Action = "REJECT"
		r.Packets = 1 + g.rng.IntN(3)
		r.Bytes = r.Packets * 40
	} else {
		r.Packets = 1 + g.rng.IntN(200)
		r.Bytes = r.Packets * (60 + g.rng.IntN(1400))
	}
	return r
}

func (g *Generator) pickService() service {
	n := g.rng.IntN(servicesWeight)
	for _, s := range services {
		if n < s.weight {
			return s
		}
		n -= s.weight
	}
	return services[0]
}

// Parse reads a version-2 record back (tests and consumers).
func Parse(line string) (Record, error) {
	f := strings.Fields(line)
	if len(f) != 14 || f[0] != "2" {
		return Record{}, fmt.Errorf("flowlogs: not a version-2 record: %q", line)
	}
	r := Record{AccountID: f[1], ENI: f[2], Status: f[13]}
	var err error
	num := func(s string) int64 {
		n, e := strconv.ParseInt(s, 10, 64)
		if e != nil && err == nil {
			err = fmt.Errorf("flowlogs: field %q of %q: %w", s, line, e)
		}
		return n
	}
	r.Start, r.End = num(f[10]), num(f[11])
	if r.Status != "OK" {
		return r, err
	}
	r.SrcAddr, r.DstAddr, r.Action = f[3], f[4], f[12]
	r.SrcPort, r.DstPort, r.Protocol = int(num(f[5])), int(num(f[6])), int(num(f[7]))
	r.Packets, r.Bytes = int(num(f[8])), int(num(f[9]))
	return r, err
}
