package bench

import (
	"math"
	"slices"
	"time"
)

// Latency summarises a set of samples in milliseconds. Percentiles use the nearest-rank
// method, so every reported figure is a latency that was actually observed.
type Latency struct {
	Samples int     `json:"samples"`
	P50     float64 `json:"p50_ms"`
	P95     float64 `json:"p95_ms"`
	P99     float64 `json:"p99_ms"`
	Max     float64 `json:"max_ms"`
	Mean    float64 `json:"mean_ms"`
}

// summarize computes the percentiles of samples; an empty set gives a zero Latency.
func summarize(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Latency{
		Samples: len(s),
		P50:     ms(percentile(s, 50)),
		P95:     ms(percentile(s, 95)),
		P99:     ms(percentile(s, 99)),
		Max:     ms(s[len(s)-1]),
		Mean:    ms(sum / time.Duration(len(s))),
	}
}

// percentile is the nearest-rank percentile p (0–100] of sorted samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return round3(float64(d) / float64(time.Millisecond)) }

func seconds(d time.Duration) float64 { return round3(d.Seconds()) }

// round3 keeps three decimals: the JSON stays readable and no figure here is more
// precise than that.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// ratio is a/b, or 0 when b is 0, so a missing measurement shows as 0 rather than Inf.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return round3(a / b)
}

// rate is n per second of d.
func rate(n float64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return round3(n / d.Seconds())
}
