// Package geo is Haven's built-in US geography: states, DC, Puerto Rico and
// the territories (and, as routing grows, counties, ZIP codes and area codes).
package geo

import "sort"

// State is a US state, district or territory.
type State struct {
	Code      string // USPS postal code, e.g. "TX"
	Name      string
	FIPS      string // two-digit FIPS code
	Territory bool   // true for PR and the island areas; false for the 50 states and DC
}

// States lists the 50 states, DC, Puerto Rico and the island territories,
// sorted by postal code.
var States = []State{
	{"AK", "Alaska", "02", false}, {"AL", "Alabama", "01", false}, {"AR", "Arkansas", "05", false},
	{"AS", "American Samoa", "60", true}, {"AZ", "Arizona", "04", false}, {"CA", "California", "06", false},
	{"CO", "Colorado", "08", false}, {"CT", "Connecticut", "09", false}, {"DC", "District of Columbia", "11", false},
	{"DE", "Delaware", "10", false}, {"FL", "Florida", "12", false}, {"GA", "Georgia", "13", false},
	{"GU", "Guam", "66", true}, {"HI", "Hawaii", "15", false}, {"IA", "Iowa", "19", false},
	{"ID", "Idaho", "16", false}, {"IL", "Illinois", "17", false}, {"IN", "Indiana", "18", false},
	{"KS", "Kansas", "20", false}, {"KY", "Kentucky", "21", false}, {"LA", "Louisiana", "22", false},
	{"MA", "Massachusetts", "25", false}, {"MD", "Maryland", "24", false}, {"ME", "Maine", "23", false},
	{"MI", "Michigan", "26", false}, {"MN", "Minnesota", "27", false}, {"MO", "Missouri", "29", false},
	{"MP", "Northern Mariana Islands", "69", true}, {"MS", "Mississippi", "28", false}, {"MT", "Montana", "30", false},
	{"NC", "North Carolina", "37", false}, {"ND", "North Dakota", "38", false}, {"NE", "Nebraska", "31", false},
	{"NH", "New Hampshire", "33", false}, {"NJ", "New Jersey", "34", false}, {"NM", "New Mexico", "35", false},
	{"NV", "Nevada", "32", false}, {"NY", "New York", "36", false}, {"OH", "Ohio", "39", false},
	{"OK", "Oklahoma", "40", false}, {"OR", "Oregon", "41", false}, {"PA", "Pennsylvania", "42", false},
	{"PR", "Puerto Rico", "72", true}, {"RI", "Rhode Island", "44", false}, {"SC", "South Carolina", "45", false},
	{"SD", "South Dakota", "46", false}, {"TN", "Tennessee", "47", false}, {"TX", "Texas", "48", false},
	{"UM", "U.S. Minor Outlying Islands", "74", true}, {"UT", "Utah", "49", false}, {"VA", "Virginia", "51", false},
	{"VI", "U.S. Virgin Islands", "78", true}, {"VT", "Vermont", "50", false}, {"WA", "Washington", "53", false},
	{"WI", "Wisconsin", "55", false}, {"WV", "West Virginia", "54", false}, {"WY", "Wyoming", "56", false},
}

var byCode = func() map[string]State {
	m := make(map[string]State, len(States))
	for _, s := range States {
		m[s.Code] = s
	}
	return m
}()

// StateByCode returns the state with the postal code, and whether there is one.
func StateByCode(code string) (State, bool) {
	s, ok := byCode[code]
	return s, ok
}

// ReportingJurisdictions returns the 52 jurisdictions the public statistics
// count: the 50 states, DC and Puerto Rico, sorted by postal code.
func ReportingJurisdictions() []State {
	var out []State
	for _, s := range States {
		if !s.Territory || s.Code == "PR" {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
