// Package agencycsv reads and writes the agency directory as CSV, one row
// per agency, in a layout a spreadsheet user can edit.
//
// Columns (the header row names them; order is free, unknown columns are
// an error, only name is required):
//
//	name          the agency's name, unique; an import matches on it
//	kind          law_enforcement, task_force, child_welfare, service_provider, clearinghouse
//	level         local, state, tribal, federal, private
//	state         home state postal code (TX)
//	states        whole states covered, separated by ';' (TX;OK)
//	counties      counties covered, separated by ';': a five-digit FIPS code
//	              (48453), or state and name (TX:Travis County). A FIPS code
//	              a spreadsheet turned into a number (1001) is read as 01001.
//	zips          ZIP codes covered, separated by ';' (78701;78702); ZIP+4
//	              is cut to five digits, and four digits are read with a
//	              leading zero
//	phone_24x7    the 24/7 line
//	email         the agency's email address
//	address, city the street address and city
//	active        yes or no (empty is yes)
//	contact_name, contact_title, contact_phone, contact_email
//	              the first contact; contact2_name … contact2_email the
//	              second, and so on: add a group of columns for each
//
// Export writes the counties as "ST:Name" where that name reads back as the
// same county, and as FIPS codes otherwise, so that importing an export
// changes nothing.
package agencycsv

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/haven-oss/haven/internal/haven"
)

// Columns are the fixed columns in the order Write writes them; contact
// groups follow.
var Columns = []string{"name", "kind", "level", "state", "states", "counties", "zips",
	"phone_24x7", "email", "address", "city", "active"}

var contactFields = []string{"name", "title", "phone", "email"}

// contactColumn matches contact_name, contact2_email and so on.
var contactColumn = regexp.MustCompile(`^contact([0-9]*)_(name|title|phone|email)$`)

// MaxRows is the most agencies one file may hold.
const MaxRows = 20000

// FileError is a problem with the file as a whole (its header, or CSV
// syntax); nothing in it can be read. Line is 0 when not known.
type FileError struct {
	Line    int
	Message string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return e.Message
}

// Read parses a directory file into one row per agency, each with its line
// number. A row that cannot be read into an agency (an unknown "active"
// value, a contact group number too large) has Err set, naming the column.
// A file whose header or syntax is wrong is a *FileError.
func Read(r io.Reader) ([]haven.AgencyImportRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0 // every row as wide as the header
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &FileError{Message: "the file is empty: it needs a header row naming the columns (name, kind, level, …)"}
	}
	if err != nil {
		return nil, csvError(err)
	}
	type col struct {
		field   string
		contact int // 1-based contact group; 0 for a fixed column
	}
	cols := make([]col, len(header))
	seen := map[string]bool{}
	hasName := false
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if seen[h] {
			return nil, &FileError{Line: 1, Message: fmt.Sprintf("the column %q appears twice", h)}
		}
		seen[h] = true
		if m := contactColumn.FindStringSubmatch(h); m != nil {
			n := 1
			if m[1] != "" {
				if n, err = strconv.Atoi(m[1]); err != nil || n < 1 || n > 20 {
					return nil, &FileError{Line: 1, Message: fmt.Sprintf("the column %q: contact groups are numbered 2 to 20", h)}
				}
			}
			cols[i] = col{m[2], n}
			continue
		}
		known := false
		for _, c := range Columns {
			known = known || c == h
		}
		if !known {
			return nil, &FileError{Line: 1, Message: fmt.Sprintf("unknown column %q; the columns are %s and contact_name, contact_title, contact_phone, contact_email (contact2_name … for more)", h, strings.Join(Columns, ", "))}
		}
		hasName = hasName || h == "name"
		cols[i] = col{h, 0}
	}
	if !hasName {
		return nil, &FileError{Line: 1, Message: "the header has no name column"}
	}
	var rows []haven.AgencyImportRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		blank := true
		for _, v := range rec {
			blank = blank && strings.TrimSpace(v) == ""
		}
		if blank {
			continue
		}
		if len(rows) == MaxRows {
			return nil, &FileError{Line: line, Message: fmt.Sprintf("the file has more than %d agencies; split it", MaxRows)}
		}
		ag := &haven.Agency{}
		row := haven.AgencyImportRow{Line: line, Agency: ag}
		contacts := map[int]*haven.AgencyContact{}
		maxContact := 0
		for i, v := range rec {
			c := cols[i]
			if c.contact > 0 {
				ct := contacts[c.contact]
				if ct == nil {
					ct = &haven.AgencyContact{}
					contacts[c.contact] = ct
				}
				maxContact = max(maxContact, c.contact)
				switch c.field {
				case "name":
					ct.Name = v
				case "title":
					ct.Title = v
				case "phone":
					ct.Phone = v
				case "email":
					ct.Email = v
				}
				continue
			}
			switch c.field {
			case "name":
				ag.Name = v
			case "kind":
				ag.Kind = haven.AgencyKind(strings.ToLower(strings.TrimSpace(v)))
			case "level":
				ag.Level = haven.AgencyLevel(strings.ToLower(strings.TrimSpace(v)))
			case "state":
				ag.State = v
			case "states":
				ag.States = split(v)
			case "counties":
				ag.Counties = split(v)
				for j, f := range ag.Counties {
					ag.Counties[j] = padDigits(f, 4, 5)
				}
			case "zips":
				ag.ZIPs = split(v)
				for j, z := range ag.ZIPs {
					ag.ZIPs[j] = padDigits(z, 3, 5)
				}
			case "phone_24x7":
				ag.Phone24x7 = v
			case "email":
				ag.Email = v
			case "address":
				ag.Address = v
			case "city":
				ag.City = v
			case "active":
				switch strings.ToLower(strings.TrimSpace(v)) {
				case "", "yes", "y", "true", "1", "active":
				case "no", "n", "false", "0", "inactive":
					ag.Inactive = true
				default:
					row.Err = haven.FieldError("active", "%q is not yes or no", v)
				}
			}
		}
		for n := 1; n <= maxContact; n++ {
			if ct := contacts[n]; ct != nil {
				ag.Contacts = append(ag.Contacts, *ct)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// csvError turns encoding/csv's error into a FileError with its line.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg = "this row has a different number of columns from the header"
		} else if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
			msg = "a quotation mark is out of place: " + msg
		}
		return &FileError{Line: pe.Line, Message: msg}
	}
	return &FileError{Message: err.Error()}
}

// split cuts a multi-valued cell at ';'.
func split(v string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// padDigits left-pads an all-digit value of at least min digits to width
// with zeros (a spreadsheet drops leading zeros from codes it takes for
// numbers).
func padDigits(s string, minLen, width int) string {
	if len(s) < minLen || len(s) >= width {
		return s
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return s
		}
	}
	return strings.Repeat("0", width-len(s)) + s
}

// Write writes agencies in the layout Read reads, with as many contact
// groups as the agency with the most contacts has (at least one).
func Write(w io.Writer, agencies []*haven.Agency) error {
	groups := 1
	for _, a := range agencies {
		groups = max(groups, len(a.Contacts))
	}
	header := append([]string(nil), Columns...)
	for n := 1; n <= groups; n++ {
		p := "contact"
		if n > 1 {
			p += strconv.Itoa(n)
		}
		for _, f := range contactFields {
			header = append(header, p+"_"+f)
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, a := range agencies {
		active := "yes"
		if a.Inactive {
			active = "no"
		}
		counties := make([]string, len(a.Counties))
		for i, f := range a.Counties {
			counties[i] = countyText(f)
		}
		rec := []string{a.Name, string(a.Kind), string(a.Level), a.State, strings.Join(a.States, ";"),
			strings.Join(counties, ";"), strings.Join(a.ZIPs, ";"), a.Phone24x7, a.Email, a.Address, a.City, active}
		for n := 0; n < groups; n++ {
			var c haven.AgencyContact
			if n < len(a.Contacts) {
				c = a.Contacts[n]
			}
			rec = append(rec, c.Name, c.Title, c.Phone, c.Email)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// countyText writes a county as "ST:Name" when that reads back as the same
// county, and as its FIPS code otherwise.
func countyText(fips string) string {
	c, ok := geo.CountyByFIPS(fips)
	if !ok {
		return fips
	}
	t := c.State + ":" + c.Name
	if f, ok := haven.ParseCounty(t); ok && f == fips && !strings.ContainsAny(c.Name, ";") {
		return t
	}
	return fips
}
