package loadgen

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"time"
)

// Synthetic, clearly fictional content only: invented names, phone numbers
// in 202-555-0100…0199, example.com addresses, documentation IP ranges
// (RFC 5737), benign sentences.

var firstNames = []string{"Avery", "Jordan", "Riley", "Casey", "Morgan", "Quinn", "Harper", "Rowan", "Emerson", "Sawyer"}
var lastNames = []string{"Example", "Sample", "Testcase", "Placeholder", "Fictional", "Demo", "Mock", "Synthetic"}
var platforms = []string{"ExampleChat", "SampleSocial", "DemoGames", "TestPhotos"}
var cities = []struct{ city, state, zip string }{
	{"Springfield", "IL", "62701"}, {"Columbus", "OH", "43215"}, {"Austin", "TX", "78701"},
	{"Denver", "CO", "80202"}, {"Richmond", "VA", "23219"}, {"Albany", "NY", "12207"},
}

func pick[T any](xs []T, n int) T { return xs[n%len(xs)] }

func phone(n int) string { return fmt.Sprintf("202-555-01%02d", n%100) }

// espReport returns the n-th synthetic <report> document of run, incident
// at at. The run's tag keeps two runs' reports apart: the server takes the
// same document sent again for a retry of the first.
func espReport(run string, n int, at time.Time) []byte {
	p := pick(platforms, n)
	c := pick(cities, n/3)
	return fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?>
<report>
  <incidentSummary>
    <incidentType>%s</incidentType>
    <platform>%s</platform>
    <incidentDateTime>%s</incidentDateTime>
  </incidentSummary>
  <internetDetails>
    <chatImIncident>
      <chatClient>%s</chatClient>
      <content>An adult account asked a young user to meet in person (synthetic load-test data, report %d).</content>
    </chatImIncident>
  </internetDetails>
  <reporter>
    <reportingPerson>
      <firstName>Trust</firstName>
      <lastName>Safety</lastName>
      <phone type="Work" countryCallingCode="+1">%s</phone>
      <email type="Work">trust.safety@%s.example.com</email>
    </reportingPerson>
  </reporter>
  <personOrUserReported>
    <personOrUserReportedPerson>
      <firstName>%s</firstName>
      <lastName>%s</lastName>
      <phone>%s</phone>
      <email>user%d@example.com</email>
    </personOrUserReportedPerson>
    <espIdentifier>load-%s-%d</espIdentifier>
    <espService>%s</espService>
    <screenName>load_user_%d</screenName>
    <ipCaptureEvent>
      <ipAddress>198.51.100.%d</ipAddress>
      <eventName>Login</eventName>
      <dateTime>%s</dateTime>
    </ipCaptureEvent>
    <estimatedLocation><city>%s</city><region>%s</region><countryCode>US</countryCode></estimatedLocation>
  </personOrUserReported>
  <additionalInfo>Synthetic report sent by haven loadtest; no real person is described.</additionalInfo>
</report>
`, pick([]string{"Child Sex Trafficking", "Online Enticement of Children for Sexual Acts"}, n), p,
		at.UTC().Format(time.RFC3339), p, n, phone(n), lowerASCII(p),
		pick(firstNames, n), pick(lastNames, n/7), phone(n+37), n%5000, run, n, p, n%997, 1+n%254,
		at.UTC().Add(-time.Hour).Format(time.RFC3339), c.city, c.state)
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// espFile returns the n-th synthetic file: a small one-colour PNG square
// or a short text note, alternately.
func espFile(n int) (name string, data []byte) {
	if n%2 == 0 {
		img := image.NewRGBA(image.Rect(0, 0, 16, 16))
		col := color.RGBA{uint8(40 + n*37%200), uint8(90 + n*53%150), uint8(140 + n*11%100), 255}
		for x := 0; x < 16; x++ {
			for y := 0; y < 16; y++ {
				img.Set(x, y, col)
			}
		}
		var b bytes.Buffer
		_ = png.Encode(&b, img)
		return fmt.Sprintf("square-%d.png", n), b.Bytes()
	}
	return fmt.Sprintf("note-%d.txt", n), fmt.Appendf(nil, "Moderator note %d: account flagged for review (synthetic load-test data).\n", n)
}

// fileDetails describes an uploaded file.
func fileDetails(reportID, fileID, name string, data []byte) []byte {
	sum := md5.Sum(data)
	return fmt.Appendf(nil, `<fileDetails><reportId>%s</reportId><fileId>%s</fileId><originalFileName>%s</originalFileName>`+
		`<fileViewedByEsp>true</fileViewedByEsp><publiclyAvailable>false</publiclyAvailable>`+
		`<originalFileHash hashType="MD5">%s</originalFileHash></fileDetails>`, reportID, fileID, name, hex.EncodeToString(sum[:]))
}

// tipForm writes the n-th synthetic tip of run as the form's multipart body, with
// the form's one-time token and language; it returns the content type.
func tipForm(b *bytes.Buffer, run string, n int, token, lang string, at time.Time) (string, error) {
	mw := multipart.NewWriter(b)
	c := pick(cities, n)
	fields := [][2]string{
		{"lang", lang}, {"people_count", "2"}, {"submission", token},
		{"kind", pick([]string{"child_sex_trafficking", "online_enticement", "other"}, n)},
		{"narrative", fmt.Sprintf("I saw an adult repeatedly bring a teenager to a motel and collect money from visitors. Synthetic load-test tip %s-%d.", run, n)},
		{"incident_date", at.Format("2006-01-02")},
		{"city", c.city}, {"state", c.state}, {"zip", c.zip},
		{"online", fmt.Sprintf("https://ads.example.com/listing/%d", n)},
		{"p0_role", "suspect"}, {"p0_first_name", pick(firstNames, n+3)}, {"p0_last_name", pick(lastNames, n)},
		{"p0_description", "Tall, grey jacket, drives a blue sedan."},
		{"child_first_name", pick(firstNames, n+5)}, {"child_age", fmt.Sprint(14 + n%4)},
	}
	if n%3 == 0 {
		fields = append(fields, [2]string{"contact_choice", "named"}, [2]string{"contact_name", "Sam Caller"},
			[2]string{"contact_phone", phone(n + 11)}, [2]string{"contact_email", fmt.Sprintf("caller%d@example.com", n%1000)})
	} else {
		fields = append(fields, [2]string{"contact_choice", "anonymous"})
	}
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return "", err
		}
	}
	if err := mw.Close(); err != nil {
		return "", err
	}
	return mw.FormDataContentType(), nil
}
