package bench

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Machine describes where the figures were measured: without it a throughput number
// means nothing, and a machine shared with other work explains a noisy one.
type Machine struct {
	Cores        int        `json:"cores"`
	CPUModel     string     `json:"cpu_model"`
	MemoryBytes  int64      `json:"memory_bytes"`
	GoVersion    string     `json:"go_version"`
	Kernel       string     `json:"kernel"`
	PostgreSQL   string     `json:"postgresql"`
	LoadAvgStart [3]float64 `json:"loadavg_start"`
	LoadAvgEnd   [3]float64 `json:"loadavg_end"`
	// OtherCPU is how many cores the rest of the machine kept busy on average during
	// the run (machine busy time minus this process's): the PostgreSQL backends working
	// for the bench are in it, and so is any unrelated work of a shared machine.
	OtherCPU float64 `json:"other_cpu_cores"`
}

func readMachine() Machine {
	m := Machine{Cores: runtime.NumCPU(), GoVersion: runtime.Version(), LoadAvgStart: loadAvg()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if v, ok := procField("/proc/meminfo", "MemTotal:"); ok {
		m.MemoryBytes = v * 1024
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

func loadAvg() [3]float64 {
	var l [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l
	}
	f := strings.Fields(string(b))
	for i := 0; i < 3 && i < len(f); i++ {
		l[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return l
}

// procField reads a "Name:   1234 kB" line of a /proc file as its number.
func procField(path, name string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, name); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0, false
			}
			v, err := strconv.ParseInt(f[0], 10, 64)
			return v, err == nil
		}
	}
	return 0, false
}

// rssBytes is VmRSS of this process: the embedded Temporal server, the worker with its
// workflow cache, the pools and the driver all live in it.
func rssBytes() int64 {
	v, _ := procField("/proc/self/status", "VmRSS:")
	return v * 1024
}

// clockTicks is USER_HZ, 100 on every Linux this runs on; /proc reports CPU in ticks.
const clockTicks = 100

// cpuSample is a reading of this process's and the machine's CPU counters.
type cpuSample struct {
	at          time.Time
	proc        float64 // seconds of CPU used by this process
	busy, total float64 // seconds of CPU, all cores, busy and in total
	iowait      float64 // seconds of all cores idle while waiting for I/O
	cores       int
	unavailable bool // /proc/stat could not be read: no machine-wide figures
}

func sampleCPU() cpuSample {
	s := cpuSample{at: time.Now(), cores: runtime.NumCPU()}
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		// Fields after the command name (which may contain spaces) start at ") ".
		if i := bytes.LastIndexByte(b, ')'); i > 0 {
			f := strings.Fields(string(b[i+1:]))
			// utime and stime are fields 14 and 15 of stat: 11 and 12 counting from 0 after ')'.
			if len(f) > 13 {
				u, _ := strconv.ParseFloat(f[11], 64)
				st, _ := strconv.ParseFloat(f[12], 64)
				s.proc = (u + st) / clockTicks
			}
		}
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		s.unavailable = true
		return s
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		s.unavailable = true
		return s
	}
	for i, v := range f[1:] {
		x, _ := strconv.ParseFloat(v, 64)
		if i >= 8 { // guest time is already counted in user time
			break
		}
		s.total += x
		switch i {
		case 3: // idle
		case 4:
			s.iowait += x
		default:
			s.busy += x
		}
	}
	s.iowait /= clockTicks
	s.busy /= clockTicks
	s.total /= clockTicks
	return s
}

// CPU is where the CPU went during one measured step: how many cores this process kept
// busy and how many the rest of the machine (PostgreSQL, other work) did. A step whose
// process plus others reach the core count was CPU-bound.
type CPU struct {
	WallSeconds    float64 `json:"wall_s"`
	ProcessSeconds float64 `json:"process_cpu_s"`
	ProcessCores   float64 `json:"process_cores"`
	OtherCores     float64 `json:"other_cores"`
	MachineBusy    float64 `json:"machine_busy_fraction"`
	// IOWait is the fraction of all cores' time spent idle waiting for I/O: fsyncs of a
	// persistence that commits one transaction at a time show up here, not as CPU.
	IOWait float64 `json:"iowait_fraction"`
}

func cpuSince(a cpuSample) CPU {
	b := sampleCPU()
	wall := b.at.Sub(a.at).Seconds()
	c := CPU{WallSeconds: round3(wall), ProcessSeconds: round3(b.proc - a.proc)}
	if wall <= 0 {
		return c
	}
	c.ProcessCores = round3((b.proc - a.proc) / wall)
	if !a.unavailable && !b.unavailable && b.total > a.total {
		busyCores := (b.busy - a.busy) / (b.total - a.total) * float64(b.cores)
		c.MachineBusy = round3((b.busy - a.busy) / (b.total - a.total))
		c.IOWait = round3((b.iowait - a.iowait) / (b.total - a.total))
		c.OtherCores = round3(max(0, busyCores-c.ProcessCores))
	}
	return c
}
