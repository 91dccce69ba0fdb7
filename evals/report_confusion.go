package evals

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"unicode/utf8"
)

// maxConfusionRows and maxConfusionCols bound the confusion heat map to the intents worth a look.
const (
	maxConfusionRows = 10
	maxConfusionCols = 14
)

// confusionTable is the heat map's data: expected intents (rows) by predicted intents (columns).
type confusionTable struct {
	Cols []string
	Rows []confusionRow
}

type confusionRow struct {
	Expected      string
	Errors, Total int
	Cells         []confusionCell
}

type confusionCell struct {
	N     int
	Class string // ok: a right prediction; h1–h4: the share of the row's cases, in quarters
	X, Y  float64
}

// noIntent and otherIntents label the confusion table's special columns.
const (
	noIntent     = "(none · 无)"
	otherIntents = "(other · 其他)"
)

// confusion tabulates predicted against expected intents for the intents with the most errors.
func confusion(results []Result) confusionTable {
	counts := map[string]map[string]int{}
	errs, totals := map[string]int{}, map[string]int{}
	for _, r := range results {
		if r.ExpectedIntent == "" || r.IntentOK == nil {
			continue
		}
		if counts[r.ExpectedIntent] == nil {
			counts[r.ExpectedIntent] = map[string]int{}
		}
		counts[r.ExpectedIntent][cmp.Or(r.Intent, noIntent)]++
		totals[r.ExpectedIntent]++
		if !*r.IntentOK {
			errs[r.ExpectedIntent]++
		}
	}
	worst := worstIntents(errs)
	cols := confusionCols(worst, counts)
	t := confusionTable{Cols: cols}
	for _, e := range worst {
		t.Rows = append(t.Rows, confusionRow{Expected: e, Errors: errs[e], Total: totals[e], Cells: confusionCells(e, cols, counts[e], totals[e])})
	}
	return t
}

// worstIntents returns the expected intents with errors, most errors first.
func worstIntents(errs map[string]int) []string {
	var worst []string
	for e, n := range errs {
		if n > 0 {
			worst = append(worst, e)
		}
	}
	slices.SortFunc(worst, func(a, b string) int { return cmp.Or(cmp.Compare(errs[b], errs[a]), cmp.Compare(a, b)) })
	return worst[:min(len(worst), maxConfusionRows)]
}

// confusionCols are the rows' own intents, then the other predictions by frequency, folding
// the rarest into one column.
func confusionCols(rows []string, counts map[string]map[string]int) []string {
	cols := slices.Clone(rows)
	freq := map[string]int{}
	for _, e := range rows {
		for p, n := range counts[e] {
			if !slices.Contains(rows, p) {
				freq[p] += n
			}
		}
	}
	rest := slices.SortedFunc(maps.Keys(freq), func(a, b string) int { return cmp.Or(cmp.Compare(freq[b], freq[a]), cmp.Compare(a, b)) })
	if len(cols)+len(rest) > maxConfusionCols {
		rest = append(rest[:max(0, maxConfusionCols-len(cols)-1)], otherIntents)
	}
	return append(cols, rest...)
}

func confusionCells(expected string, cols []string, row map[string]int, total int) []confusionCell {
	cells := make([]confusionCell, len(cols))
	shown := 0
	for i, c := range cols {
		cells[i].N = row[c]
		shown += row[c]
	}
	if cols[len(cols)-1] == otherIntents {
		cells[len(cols)-1].N = total - shown
	}
	for i, c := range cols {
		cells[i].Class = heat(cells[i].N, total, c != otherIntents && intentMatches(expected, predictedLabel(c)))
	}
	return cells
}

func predictedLabel(col string) string {
	if col == noIntent {
		return ""
	}
	return col
}

// heat classes a cell by its share of the row.
func heat(n, total int, right bool) string {
	switch {
	case n == 0:
		return ""
	case right:
		return "ok"
	}
	return fmt.Sprintf("h%d", min(4, int(math.Ceil(4*float64(n)/float64(total)))))
}

// Heat-map geometry, in SVG user units.
const (
	cellSize       = 30.0
	maxLabelChars  = 32  // longer intent names are cut
	maxLabelWidth  = 230 // px
	labelCharWidth = 6.6 // px per Latin character at 11px; CJK characters count double
	heatTop        = 56.0
	heatSide       = 160.0 // room right of the grid for error counts
	minHeatWidth   = 520.0 // room for the title
)

// heatMap lays the confusion table out as an SVG heat map.
type heatMap struct {
	confusionTable
	W, H, GridX, GridY, GridW, GridH float64
	ColLabels                        []svgText
	RowLabels                        []svgText
	Counts                           []svgText // errors / cases per row
}

type svgText struct {
	X, Y float64
	Text string
}

func (h heatMap) CellSize() float64 { return cellSize }
func (h heatMap) CellMid() float64  { return cellSize / 2 }
func (h heatMap) GridMid() float64  { return h.GridX + h.GridW/2 }
func (h heatMap) GridYMid() float64 { return h.GridY + h.GridH/2 }

// layoutHeatMap places the cells, the row labels on the left and the column labels, slanted,
// above the grid.
func layoutHeatMap(t confusionTable) heatMap {
	rowW, colH := 0.0, 0.0
	for _, r := range t.Rows {
		rowW = max(rowW, textWidth(snippet(r.Expected, maxLabelChars)))
	}
	for _, c := range t.Cols {
		colH = max(colH, textWidth(snippet(c, maxLabelChars))*math.Sqrt2/2)
	}
	h := heatMap{confusionTable: t, GridX: r1(24 + min(rowW, maxLabelWidth) + 8), GridY: r1(heatTop + min(colH, maxLabelWidth) + 8)}
	h.GridW, h.GridH = cellSize*float64(len(t.Cols)), cellSize*float64(len(t.Rows))
	h.W, h.H = max(minHeatWidth, h.GridX+h.GridW+heatSide), h.GridY+h.GridH+40
	for j, c := range t.Cols {
		h.ColLabels = append(h.ColLabels, svgText{X: h.GridX + cellSize*(float64(j)+0.5), Y: h.GridY - 6, Text: snippet(c, maxLabelChars)})
	}
	for i := range h.Rows {
		row := &h.Rows[i]
		y := h.GridY + cellSize*float64(i)
		h.RowLabels = append(h.RowLabels, svgText{X: h.GridX - 6, Y: y + cellSize/2 + 4, Text: snippet(row.Expected, maxLabelChars)})
		h.Counts = append(h.Counts, svgText{X: h.SideX(), Y: y + cellSize/2 + 4, Text: fmt.Sprintf("%d / %d", row.Errors, row.Total)})
		for j := range row.Cells {
			row.Cells[j].X, row.Cells[j].Y = h.GridX+cellSize*float64(j), y
		}
	}
	return h
}

// textWidth estimates the rendered width of an 11px label.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x2e80 && utf8.RuneLen(r) >= 3 {
			w += 2 * labelCharWidth
		} else {
			w += labelCharWidth
		}
	}
	return w
}

func (h heatMap) SideX() float64 { return h.GridX + h.GridW + 8 }
