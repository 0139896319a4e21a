package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/render"

	"github.com/keeltrade/keel/venue"
)

// echartsJS is Apache ECharts 5.6.0 (dist/echarts.common.min.js of the npm
// package, Apache-2.0; see assets/README.md). It is written inline into the
// page so that the report opens offline.
//
//go:embed assets/echarts.common.min.js
var echartsJS string

// MaxChartPoints bounds the number of points of each chart series; longer
// series are downsampled (see downsample).
const MaxChartPoints = 5000

// WriteHTML writes a self-contained HTML page: the headline statistics, the
// equity curve, the drawdown, and for every contract its price with the
// fills over it. The page embeds the charting library and its data inline
// and fetches nothing from the network. Without Series it has the
// statistics only.
func (s Summary) WriteHTML(w io.Writer) error {
	page := htmlPage{Title: "keel backtest report", JS: template.JS(echartsJS)}
	page.Rows = s.tableRows()
	if s.Series != nil {
		for _, c := range s.charts() {
			sn := c.RenderSnippet()
			page.Charts = append(page.Charts, template.HTML(sn.Element+sn.Script))
		}
	}
	if err := pageTpl.Execute(w, page); err != nil {
		return fmt.Errorf("report: write html: %w", err)
	}
	return nil
}

type htmlPage struct {
	Title  string
	JS     template.JS
	Rows   [][2]string
	Charts []template.HTML
}

var pageTpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1200px; color: #222; }
table.stats { border-collapse: collapse; margin-bottom: 24px; }
table.stats th { text-align: left; font-weight: normal; padding: 2px 24px 2px 0; color: #555; }
table.stats td { text-align: right; font-variant-numeric: tabular-nums; }
.container { margin: 24px 0; }
</style>
<script>{{.JS}}</script>
</head>
<body>
<h1>{{.Title}}</h1>
<table class="stats">
{{- range .Rows}}
<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{- end}}
</table>
{{- range .Charts}}
{{.}}
{{- end}}
</body>
</html>
`))

// renderer is what the page needs of a go-echarts chart.
type renderer interface{ RenderSnippet() render.ChartSnippet }

// charts builds the page's charts from s.Series, with fixed chart ids so
// that the page is deterministic.
func (s Summary) charts() []renderer {
	ser := s.Series
	eq := make([]xy, len(ser.Equity))
	dd := make([]xy, len(ser.Equity))
	for i, p := range ser.Equity {
		eq[i] = xy{p.Time, p.Equity.InexactFloat64()}
		dd[i] = xy{p.Time, -p.Drawdown.InexactFloat64()}
	}
	out := []renderer{
		lineChart("equity", "Equity", "equity", downsample(eq, MaxChartPoints), false),
		lineChart("drawdown", "Drawdown from running peak", "drawdown", downsample(dd, MaxChartPoints), true),
	}

	for i, ps := range ser.Prices {
		if len(ps.Points) == 0 {
			continue
		}
		price := make([]xy, len(ps.Points))
		for j, p := range ps.Points {
			price[j] = xy{p.Time, p.Price.Float64()}
		}
		var buys, sells []xy
		for _, f := range ser.Fills {
			if f.Contract != ps.Contract {
				continue
			}
			p := xy{f.Time, f.Price.Float64()}
			if f.Side == venue.Buy {
				buys = append(buys, p)
			} else {
				sells = append(sells, p)
			}
		}
		c := lineChart(fmt.Sprintf("fills_%d", i), "Fills over price: "+ps.Symbol, "price", downsample(price, MaxChartPoints), false)
		c.SetGlobalOptions(charts.WithYAxisOpts(opts.YAxis{Scale: opts.Bool(true)}))
		c.Overlap(
			scatter("buy", downsample(buys, MaxChartPoints), "triangle", 0, "#2e7d32"),
			scatter("sell", downsample(sells, MaxChartPoints), "triangle", 180, "#c62828"),
		)
		out = append(out, c)
	}
	return out
}

func lineChart(id, title, name string, pts []xy, area bool) *charts.Line {
	c := charts.NewLine()
	c.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "1200px", Height: "420px", Theme: "white"}),
		charts.WithTitleOpts(opts.Title{Title: title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "time"}),
		charts.WithYAxisOpts(opts.YAxis{Scale: opts.Bool(true)}),
		charts.WithDataZoomOpts(opts.DataZoom{Type: "inside"}, opts.DataZoom{Type: "slider"}),
		charts.WithAnimation(false),
	)
	data := make([]opts.LineData, len(pts))
	for i, p := range pts {
		data[i] = opts.LineData{Value: p.value()}
	}
	so := []charts.SeriesOpts{charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)})}
	if area {
		so = append(so, charts.WithAreaStyleOpts(opts.AreaStyle{Opacity: opts.Float(0.3)}))
	}
	c.AddSeries(name, data, so...)
	return c
}

func scatter(name string, pts []xy, symbol string, rotate int, color string) *charts.Scatter {
	c := charts.NewScatter()
	data := make([]opts.ScatterData, len(pts))
	for i, p := range pts {
		data[i] = opts.ScatterData{Value: p.value(), Symbol: symbol, SymbolSize: 9, SymbolRotate: rotate}
	}
	c.AddSeries(name, data, charts.WithItemStyleOpts(opts.ItemStyle{Color: color}))
	return c
}

// xy is a chart point: Unix ns and a value.
type xy struct {
	t int64
	v float64
}

// value is the point as ECharts wants it on a time axis: [Unix ms, value].
func (p xy) value() []any { return []any{p.t / 1e6, p.v} }

// downsample returns at most limit points of pts (limit ≥ 4): the first and
// last points, and from each of (limit−2)/2 equal buckets of the points
// between, the lowest and the highest in time order. Peaks, troughs and the
// deepest drawdown survive; only detail between them is lost.
func downsample(pts []xy, limit int) []xy {
	n := len(pts)
	if n <= limit {
		return pts
	}
	inner := pts[1 : n-1]
	buckets := (limit - 2) / 2
	out := make([]xy, 0, limit)
	out = append(out, pts[0])
	for b := 0; b < buckets; b++ {
		lo, hi := b*len(inner)/buckets, (b+1)*len(inner)/buckets
		if lo == hi {
			continue
		}
		iMin, iMax := lo, lo
		for i := lo + 1; i < hi; i++ {
			if inner[i].v < inner[iMin].v {
				iMin = i
			}
			if inner[i].v > inner[iMax].v {
				iMax = i
			}
		}
		first, second := min(iMin, iMax), max(iMin, iMax)
		out = append(out, inner[first])
		if second != first {
			out = append(out, inner[second])
		}
	}
	return append(out, pts[n-1])
}
