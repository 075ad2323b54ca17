package ispws

import (
	"bytes"
	"testing"
	"time"
)

// fuzzNow is a fixed clock, so that a run is reproducible.
var fuzzNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// FuzzDecodeReport: no input panics the decoder; every input is either
// refused as malformed (4110) or invalid (4100), or accepted and mapped to
// a Report that passes Haven's own validation, the same way twice.
func FuzzDecodeReport(f *testing.F) {
	f.Add([]byte(`<report><incidentSummary><incidentType>Child Sex Trafficking</incidentType><incidentDateTime>2026-11-01T10:00:00Z</incidentDateTime></incidentSummary><reporter><reportingPerson><email>a@example.com</email></reportingPerson></reporter></report>`))
	f.Add([]byte(`<report><incidentSummary>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		r, err := DecodeReport(doc, fuzzNow)
		if err != nil {
			if r != nil {
				t.Fatalf("a refused document returned a report")
			}
			if _, ok := err.(*malformedError); !ok {
				if _, ok := err.(*invalidError); !ok {
					t.Fatalf("error of unexpected type %T: %v", err, err)
				}
			}
			return
		}
		if verr := r.Validate(fuzzNow.Add(time.Hour)); verr != nil {
			t.Fatalf("accepted document maps to an invalid report: %v", verr)
		}
		again, err := DecodeReport(bytes.Clone(doc), fuzzNow)
		if err != nil || again.Narrative != r.Narrative || len(again.Identifiers) != len(r.Identifiers) {
			t.Fatalf("decoding is not deterministic: %v", err)
		}
	})
}

// FuzzDecodeFileDetails: no input panics; an accepted document has a
// positive reportId and a 32-hex fileId.
func FuzzDecodeFileDetails(f *testing.F) {
	f.Add([]byte(`<fileDetails><reportId>1</reportId><fileId>0123456789abcdef0123456789abcdef</fileId></fileDetails>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		id, fileID, err := DecodeFileDetails(doc, fuzzNow)
		if err != nil {
			return
		}
		if id <= 0 || !tFileID.re.MatchString(fileID) {
			t.Fatalf("accepted reportId %d fileId %q", id, fileID)
		}
	})
}
