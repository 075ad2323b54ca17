package main

// Crash safety of ESP ingest: the real `haven serve` binary takes a steady
// stream of ESP reports (submit → upload → finish) from several clients
// while the test kills it with SIGKILL at random moments and starts it
// again on the same data. Afterwards the store must hold every report whose
// finish the server acknowledged, whole and exactly once, and nothing
// half-written may be visible. See TestESPIngestSurvivesSIGKILL.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/ispws"
	"github.com/haven-oss/haven/internal/jobs"
	"github.com/haven-oss/haven/internal/postgres/pgtest"
)

// Knobs of the crash test, from the environment: HAVEN_CRASH_SEED replays a
// run (the seed is logged), HAVEN_CRASH_KILLS and HAVEN_CRASH_CLIENTS change
// its size.
const (
	crashDefaultKills   = 21 // 20 kills each followed by a restart, and a last one
	crashDefaultClients = 4
	crashMinDelay       = 50 * time.Millisecond
	crashMaxDelay       = 700 * time.Millisecond
)

// TestESPIngestSurvivesSIGKILL runs sustained ESP ingest against the real
// server, on SQLite and on PostgreSQL (HAVEN_TEST_POSTGRES; skipped loudly
// without it), SIGKILLs it at random moments and restarts it on the same
// data, and then checks, opening the store itself:
//
//   - every report whose finish was acknowledged — answered 0, or answered
//     5102 "Report already finished" to a retry after the first answer was
//     lost — is a staff-visible ESP report, exactly once, with the document
//     sent (byte for byte), the narrative and fields it maps to, and its
//     file, whose decrypted bytes have the SHA-256 sent;
//   - nothing half-written is visible: staff see (in the report list) exactly
//     the reports of finished submissions; a finished submission has its
//     report, and every one of its files is an attachment of that report
//     whose bytes decrypt whole; an unfinished one has no report, and its
//     files' blobs decrypt whole (it expires per the protocol); no report
//     exists without its finished submission; no submission is retracted
//     (the clients never retract);
//   - retries never duplicate: one submission and at most one report per
//     ESP document, and at most one file per uploaded file;
//   - no ingest job is lost: every ESP report is ingested or has its ingest
//     job pending (never dead, never missing), and once the jobs the killed
//     servers had leased are due again, they all complete: every report
//     ends ingested and triaged, with no job left;
//   - every blob the store refers to is on disk, and the encrypted files
//     nobody refers to are no more than the kills can explain (one per
//     request in flight).
//
// A report is "visible" when staff can list or open it: a Report of channel
// esp. Only finish creates one, in the transaction that marks its
// submission finished and moves its files to it; an unfinished submission
// is visible to nobody but its ESP and expires (24 h after it was opened,
// or 1 h after its last change, whichever is later).
//
// The kill delays (50–700 ms after the restarted server first answers) and
// the reports' contents come from the logged seed. Nothing is timed: the
// figures (reports, kills, restart times) are logged.
func TestESPIngestSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPING the SIGKILL crash test in -short mode")
	}
	bin := filepath.Join(t.TempDir(), "haven")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("HAVEN_CRASH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("HAVEN_CRASH_SEED=%q: %v", s, err)
		}
		seed = v
	}
	kills := envInt(t, "HAVEN_CRASH_KILLS", crashDefaultKills)
	clients := envInt(t, "HAVEN_CRASH_CLIENTS", crashDefaultClients)
	t.Logf("seed %d (replay with HAVEN_CRASH_SEED=%d), %d kills, %d clients", seed, seed, kills, clients)
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		crashRun(t, bin, dir, filepath.Join(dir, "haven.db"), seed, kills, clients)
	})
	t.Run("postgres", func(t *testing.T) {
		db := pgtest.URL(t)
		crashRun(t, bin, t.TempDir(), db, seed+1, kills, clients)
	})
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive whole number", name, s)
	}
	return n
}

// crashServer is the `haven serve` process, restarted on the same data.
type crashServer struct {
	t       *testing.T
	bin     string
	dir, db string
	addr    string // host:port, kept across restarts when it can be
	base    atomic.Pointer[string]
	starts  int
	cmd     *exec.Cmd
	exited  chan struct{}
	logPath string
}

// start starts the server and waits until /readyz answers 200.
func (s *crashServer) start() {
	s.t.Helper()
	s.starts++
	s.logPath = filepath.Join(s.dir, fmt.Sprintf("serve-%02d.log", s.starts))
	logf, err := os.Create(s.logPath)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(s.bin, "serve", "--addr", s.addr, "--db", s.db, "--data-dir", s.dir, "--log-format", "json")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HAVEN_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		s.t.Fatalf("start haven serve: %v", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func(exited chan struct{}) { _ = cmd.Wait(); logf.Close(); close(exited) }(s.exited)
	deadline := time.Now().Add(60 * time.Second)
	retried := false
	for {
		select {
		case <-s.exited:
			if log := s.logTail(); strings.Contains(log, "address already in use") && !retried {
				// Another program took the port while the server was
				// down: move to a new one (the clients follow).
				s.addr, retried = freeAddr(s.t), true
				s.start()
				return
			} else {
				s.t.Fatalf("haven serve (start %d) exited before it was ready:\n%s", s.starts, log)
			}
		default:
		}
		resp, err := http.Get("http://" + s.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				base := "http://" + s.addr + "/ispws"
				s.base.Store(&base)
				return
			}
		}
		if time.Now().After(deadline) {
			s.kill()
			s.t.Fatalf("haven serve (start %d) was not ready within a minute:\n%s", s.starts, s.logTail())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits until the process is gone.
func (s *crashServer) kill() {
	if s.cmd == nil {
		return
	}
	if err := syscall.Kill(s.cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		s.t.Errorf("kill: %v", err)
	}
	<-s.exited
	s.cmd = nil
}

func (s *crashServer) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// crashFinish is what became of a report's finish, as its client knows.
type crashFinish int

const (
	finishUnknown      crashFinish = iota // never answered: the connection dropped
	finishAcked                           // answered 0
	finishAckedOnRetry                    // a retry answered 5102 "Report already finished"
)

// crashReport is one ESP report a client sent, with what it expects.
type crashReport struct {
	marker   string
	doc      []byte
	file     []byte
	fileName string
	fileSHA  string
	id       string // the reportId submit answered ("" if never answered)
	fileID   string // the fileId upload answered
	finish   crashFinish
	files    []string // the fileIds finish answered
}

// crashStats counts what the clients saw.
type crashStats struct {
	dropped      atomic.Int64 // requests without an answer (the server died)
	retries      atomic.Int64
	serverErrors atomic.Int64
	answered     atomic.Int64 // requests answered
}

type crashClient struct {
	t          *testing.T
	base       *atomic.Pointer[string] // the server's ESP API, which moves if its port must
	user, pass string
	http       *http.Client
	rng        *rand.Rand
	n          int
	stats      *crashStats
	mu         sync.Mutex
	problems   []string // answers no crash explains (the first 20)
	nproblems  int
	reports    []*crashReport
}

// crashAnswer is <reportResponse> and <reportDoneResponse> in one.
type crashAnswer struct {
	XMLName     xml.Name
	Code        int      `xml:"responseCode"`
	Description string   `xml:"responseDescription"`
	ReportID    string   `xml:"reportId"`
	FileID      string   `xml:"fileId"`
	Hash        string   `xml:"hash"`
	Files       []string `xml:"files>fileId"`
}

// post sends one request; an error means no answer came (the server died
// or was down).
func (c *crashClient) post(ctx context.Context, path, ctype string, body []byte) (int, crashAnswer, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", *c.base.Load()+path, bytes.NewReader(body))
	if err != nil {
		return 0, crashAnswer{}, err
	}
	req.Header.Set("Content-Type", ctype)
	req.SetBasicAuth(c.user, c.pass)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, crashAnswer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, crashAnswer{}, err
	}
	c.stats.answered.Add(1)
	var a crashAnswer
	if err := xml.Unmarshal(b, &a); err != nil {
		c.problem("%s answered HTTP %d with a body that is not XML: %q", path, resp.StatusCode, b)
		return resp.StatusCode, a, nil
	}
	return resp.StatusCode, a, nil
}

func (c *crashClient) problem(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nproblems++
	if len(c.problems) < 20 {
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	}
}

// until sends a request again and again until it is answered (or ctx
// ends: ok false). A 5xx answer is a problem, retried a few times.
func (c *crashClient) until(ctx context.Context, path, ctype string, body []byte) (status int, a crashAnswer, ok bool) {
	for attempt, failed := 0, 0; ; attempt++ {
		if ctx.Err() != nil || failed == 3 {
			return 0, a, false
		}
		if attempt > 0 {
			c.stats.retries.Add(1)
		}
		status, a, err := c.post(ctx, path, ctype, body)
		if err != nil {
			c.stats.dropped.Add(1)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if status >= 500 {
			failed++
			c.stats.serverErrors.Add(1)
			c.problem("%s answered HTTP %d code %d %q", path, status, a.Code, a.Description)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		return status, a, true
	}
}

// run sends reports until ctx ends.
func (c *crashClient) run(ctx context.Context, id int) {
	for ctx.Err() == nil {
		c.n++
		r := c.newReport(id)
		c.mu.Lock()
		c.reports = append(c.reports, r)
		c.mu.Unlock()
		c.send(ctx, r)
	}
}

// send takes a report through submit, upload and finish. Submit and upload
// are retried until answered (a retry must find what the lost attempt
// made); a finish whose answer is lost is retried by half the clients'
// reports and left unknown by the other half.
func (c *crashClient) send(ctx context.Context, r *crashReport) {
	status, a, ok := c.until(ctx, "/submit", "text/xml; charset=utf-8", r.doc)
	if !ok {
		return
	}
	if status != 200 || a.Code != 0 || a.ReportID == "" {
		c.problem("submit %s: HTTP %d code %d %q", r.marker, status, a.Code, a.Description)
		return
	}
	r.id = a.ReportID

	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	_ = mw.WriteField("id", r.id)
	fw, _ := mw.CreateFormFile("file", r.fileName)
	_, _ = fw.Write(r.file)
	_ = mw.Close()
	status, a, ok = c.until(ctx, "/upload", mw.FormDataContentType(), form.Bytes())
	if !ok {
		return
	}
	if status != 200 || a.Code != 0 || a.ReportID != r.id || len(a.FileID) != 32 {
		c.problem("upload %s (report %s): HTTP %d code %d %q", r.marker, r.id, status, a.Code, a.Description)
		return
	}
	r.fileID = a.FileID

	body := []byte(url.Values{"id": {r.id}}.Encode())
	const formType = "application/x-www-form-urlencoded"
	status, a, err := c.post(ctx, "/finish", formType, body)
	if err != nil {
		c.stats.dropped.Add(1)
		if c.rng.IntN(2) == 0 {
			return // the client gives up: the report's fate is unknown
		}
		time.Sleep(10 * time.Millisecond)
		c.stats.retries.Add(1)
		if status, a, ok = c.until(ctx, "/finish", formType, body); !ok {
			return
		}
		if status == http.StatusConflict && a.Code == 5102 {
			r.finish = finishAckedOnRetry
			return
		}
	}
	if status != 200 || a.Code != 0 || a.ReportID != r.id {
		c.problem("finish %s (report %s): HTTP %d code %d %q", r.marker, r.id, status, a.Code, a.Description)
		return
	}
	r.finish, r.files = finishAcked, a.Files
}

// newReport makes a report with a marker of its own: benign synthetic text
// and a generated file (a text file or a PNG square).
func (c *crashClient) newReport(client int) *crashReport {
	var tag [8]byte
	for i := range tag {
		tag[i] = byte(c.rng.Uint32())
	}
	marker := fmt.Sprintf("crash-%d-%05d-%x", client, c.n, tag)
	doc := `<report><incidentSummary><incidentType>Online Enticement of Children for Sexual Acts</incidentType>` +
		`<platform>ExampleChat</platform><incidentDateTime>2026-11-01T10:00:00Z</incidentDateTime></incidentSummary>` +
		`<reporter><reportingPerson><email>reports@example.com</email></reportingPerson></reporter>` +
		`<personOrUserReported><espIdentifier>` + marker + `</espIdentifier><espService>ExampleChat</espService>` +
		`<screenName>` + marker + `</screenName></personOrUserReported>` +
		`<additionalInfo>Synthetic crash-test report ` + marker + ` (fictional test data).</additionalInfo></report>`
	r := &crashReport{marker: marker, doc: []byte(doc)}
	if c.rng.IntN(2) == 0 {
		// A text file of 1 KiB to 256 KiB.
		var b strings.Builder
		size := 1<<10 + c.rng.IntN(255<<10)
		for b.Len() < size {
			fmt.Fprintf(&b, "Synthetic crash-test file for %s, line %d: fictional test data.\n", marker, b.Len())
		}
		r.file, r.fileName = []byte(b.String()), marker+".txt"
	} else {
		img := image.NewRGBA(image.Rect(0, 0, 32, 32))
		col := color.RGBA{byte(c.rng.Uint32()), byte(c.rng.Uint32()), byte(c.rng.Uint32()), 255}
		for x := 0; x < 32; x++ {
			for y := 0; y < 32; y++ {
				img.Set(x, y, col)
			}
		}
		img.Set(int(tag[0]%32), int(tag[1]%32), color.RGBA{tag[2], tag[3], tag[4], 255}) // unique bytes
		var b bytes.Buffer
		_ = png.Encode(&b, img)
		r.file, r.fileName = b.Bytes(), marker+".png"
	}
	sum := sha256.Sum256(r.file)
	r.fileSHA = hex.EncodeToString(sum[:])
	return r
}

// freeAddr returns a local address with a free port.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var espPassword = regexp.MustCompile(`(?m)^password: (\S+)$`)

func crashRun(t *testing.T, bin, dir, db string, seed uint64, kills, nclients int) {
	ctx := context.Background()
	ev := map[string]string{"HAVEN_DATA_DIR": dir, "HAVEN_DB": db}
	add := runHaven(t, ev, "", "esp", "add", "crashchat")
	m := espPassword.FindStringSubmatch(add.out)
	if add.code != nil || m == nil {
		t.Fatalf("esp add: %v\n%s%s", add.code, add.out, add.err)
	}
	srv := &crashServer{t: t, bin: bin, dir: dir, db: db, addr: freeAddr(t)}
	t.Cleanup(srv.kill)
	srv.start()

	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	stats := &crashStats{}
	tr := &http.Transport{MaxIdleConnsPerHost: 2 * nclients}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	cctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	clients := make([]*crashClient, nclients)
	for i := range clients {
		clients[i] = &crashClient{t: t, base: &srv.base, user: "crashchat", pass: m[1], http: hc,
			rng: rand.New(rand.NewPCG(seed, uint64(i+1))), stats: stats}
		wg.Add(1)
		go func(c *crashClient, i int) { defer wg.Done(); c.run(cctx, i) }(clients[i], i)
	}

	// Kill at random moments under load; restart on the same data after
	// every kill but the last. The delay runs from the restarted server's
	// first answer to a client, so that every kill strikes ingest under
	// way however slow the machine is to start the server.
	var restarts []time.Duration
	began := time.Now()
	for k := 1; k <= kills; k++ {
		for seen, until := stats.answered.Load(), time.Now().Add(10*time.Second); stats.answered.Load() == seen && time.Now().Before(until); {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(crashMinDelay + time.Duration(rng.Int64N(int64(crashMaxDelay-crashMinDelay)+1)))
		srv.kill()
		if k == kills {
			break
		}
		t0 := time.Now()
		srv.start()
		restarts = append(restarts, time.Since(t0))
	}
	stop()
	wg.Wait()
	ran := time.Since(began)

	var all []*crashReport
	var problems []string
	var nproblems int
	for _, c := range clients {
		all = append(all, c.reports...)
		problems = append(problems, c.problems...)
		nproblems += c.nproblems
	}
	for _, p := range problems {
		t.Errorf("an answer no crash explains: %s", p)
	}
	if nproblems > len(problems) {
		t.Errorf("... and %d more answers no crash explains", nproblems-len(problems))
	}
	counts := map[crashFinish]int{}
	for _, r := range all {
		counts[r.finish]++
	}
	slices.Sort(restarts)
	if len(restarts) == 0 {
		restarts = []time.Duration{0}
	}
	t.Logf("%s: %d kills in %v; %d reports sent: %d finish acknowledged, %d acknowledged on retry (5102), %d unknown; "+
		"%d requests dropped, %d retries, %d server errors; restart to ready: min %v, median %v, max %v",
		filepath.Base(t.Name()), kills, ran.Round(time.Millisecond), len(all), counts[finishAcked], counts[finishAckedOnRetry], counts[finishUnknown],
		stats.dropped.Load(), stats.retries.Load(), stats.serverErrors.Load(),
		restarts[0].Round(time.Millisecond), restarts[len(restarts)/2].Round(time.Millisecond), restarts[len(restarts)-1].Round(time.Millisecond))
	if counts[finishAcked] == 0 {
		t.Fatalf("no finish was acknowledged: the load did not run")
	}

	// Open the store the last server was killed on, as a restart would.
	var sf storeFlags
	sf.db, sf.dataDir = db, dir
	a, err := sf.open(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("open the store after the last kill: %v", err)
	}
	defer a.Close()
	verifyCrashStore(t, a, all)
	countLeftoverBlobs(t, a, dir, kills, nclients)
}

// countLeftoverBlobs logs the encrypted files on disk that no attachment or
// unfinished ESP file refers to: what a kill left between a commit and the
// deletion that follows it (an ESP upload's blob after finish moved it), or
// in the middle of writing a blob (*.part). Nobody can see them, and they
// are never read; they are counted, not failed on.
func countLeftoverBlobs(t *testing.T, a *app, dir string, kills, clients int) {
	ctx := context.Background()
	raw := a.store.(interface{ SQL() *sql.DB }).SQL()
	used := map[string]bool{}
	for _, q := range []string{`SELECT blob_id FROM attachments`, `SELECT blob_id FROM esp_files WHERE blob_id <> ''`} {
		rows, err := raw.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			used[id] = true
		}
		rows.Close()
	}
	var blobs, orphans, parts int
	err := filepath.WalkDir(filepath.Join(dir, "attachments"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch name := d.Name(); {
		case strings.HasSuffix(name, ".part"):
			parts++
		default:
			blobs++
			if !used[name] {
				orphans++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for id := range used {
		if _, err := os.Stat(filepath.Join(dir, "attachments", id[:2], id)); err != nil {
			t.Errorf("blob %s is referred to but missing: %v", id, err)
		}
	}
	t.Logf("files on disk: %d blobs, %d referred to; left over by kills: %d unreferenced blobs, %d partial (*.part)", blobs, len(used), orphans, parts)
	// A kill can strand at most one file per request in flight, and each
	// client has one request in flight: the blob an upload or a finish was
	// writing, or the upload's blob a committed finish had yet to delete.
	// More means files are left behind without any crash (as when finish
	// never deleted the uploaded copy of a file it moved to the report).
	if max := kills * clients; orphans+parts > max {
		t.Errorf("%d unreferenced blobs and %d partial ones: more than the %d that %d kills with %d clients can leave", orphans, parts, max, kills, clients)
	}
}

// verifyCrashStore checks the store against what the clients know.
func verifyCrashStore(t *testing.T, a *app, sent []*crashReport) {
	ctx := context.Background()
	staff := haven.System("crash-test")
	raw := a.store.(interface{ SQL() *sql.DB }).SQL()
	ids := func(q string) []int64 {
		rows, err := raw.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	byMarker := map[string]*crashReport{}
	for _, r := range sent {
		byMarker[r.marker] = r
	}
	markerOf := regexp.MustCompile(`crash-\d+-\d{5}-[0-9a-f]{16}`)

	// Every submission, read through the store, and what it holds.
	type held struct {
		sub    *haven.EspSubmission
		xml    []byte
		files  []*haven.EspFile
		report *haven.Report
		atts   []*haven.Attachment
	}
	subs := map[string][]*held{}     // by marker
	reportSub := map[int64][]int64{} // report id → finished submissions
	var open, finished int
	for _, id := range ids(`SELECT id FROM esp_submissions ORDER BY id`) {
		h := &held{}
		err := a.store.View(ctx, func(tx haven.Tx) (err error) {
			if h.sub, err = tx.EspSubmissionByID(ctx, id); err != nil {
				return err
			}
			h.files, err = tx.ListEspFiles(ctx, id)
			return err
		})
		if err != nil {
			t.Fatalf("submission %d: %v", id, err)
		}
		sub := h.sub
		if h.xml, err = a.keys.Decrypt(sub.XML, fmt.Appendf(nil, "esp-submission:%d:%x:xml", sub.AccountID, sub.BodyHash)); err != nil {
			t.Errorf("submission %d: its document does not decrypt: %v", id, err)
			continue
		}
		if sum := sha256.Sum256(h.xml); !bytes.Equal(sum[:], sub.BodyHash) {
			t.Errorf("submission %d: its document is not the one its hash names", id)
		}
		marker := markerOf.FindString(string(h.xml))
		if byMarker[marker] == nil {
			t.Errorf("submission %d holds a document no client sent: %q", id, h.xml)
			continue
		}
		subs[marker] = append(subs[marker], h)
		switch sub.State {
		case haven.EspFinished:
			finished++
			if sub.ReportID == 0 || sub.FinishedAt == nil {
				t.Errorf("submission %d is finished without its report (report %d, finished at %v)", id, sub.ReportID, sub.FinishedAt)
				continue
			}
			reportSub[sub.ReportID] = append(reportSub[sub.ReportID], id)
			h.report, err = a.svc.GetReport(ctx, staff, sub.ReportID, "crash test")
			if err != nil {
				t.Errorf("submission %d is finished but its report %d cannot be opened: %v", id, sub.ReportID, err)
				continue
			}
			if err := a.store.View(ctx, func(tx haven.Tx) (err error) {
				h.atts, err = tx.ListAttachments(ctx, sub.ReportID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(h.atts) != len(h.files) {
				t.Errorf("submission %d: %d files but its report %d has %d attachments", id, len(h.files), sub.ReportID, len(h.atts))
			}
			for _, f := range h.files {
				if f.AttachmentID == 0 || f.BlobID != "" {
					t.Errorf("submission %d is finished but its file %s was not moved to the report (attachment %d, blob %q)", id, f.FileID, f.AttachmentID, f.BlobID)
				}
			}
			for _, att := range h.atts {
				_, rc, err := a.svc.OpenAttachment(ctx, staff, att.ID, "crash test")
				if err != nil {
					t.Errorf("report %d: attachment %d cannot be opened: %v", sub.ReportID, att.ID, err)
					continue
				}
				sum := sha256.New()
				n, err := io.Copy(sum, rc)
				rc.Close()
				if err != nil || n != att.Size || hex.EncodeToString(sum.Sum(nil)) != att.SHA256 {
					t.Errorf("report %d: attachment %d reads %d bytes (want %d), err %v: not whole", sub.ReportID, att.ID, n, att.Size, err)
				}
			}
		case haven.EspOpen:
			open++
			if sub.ReportID != 0 {
				t.Errorf("submission %d is open but has report %d", id, sub.ReportID)
			}
			for _, f := range h.files {
				rc, err := a.svc.Blobs.Open(ctx, f.BlobID, []byte("esp-file:"+f.FileID+":blob"))
				if err != nil {
					t.Errorf("open submission %d: file %s has no readable blob: %v", id, f.FileID, err)
					continue
				}
				sum := sha256.New()
				n, err := io.Copy(sum, rc)
				rc.Close()
				if err != nil || n != f.Size || hex.EncodeToString(sum.Sum(nil)) != f.SHA256 {
					t.Errorf("open submission %d: file %s reads %d bytes (want %d), err %v: not whole", id, f.FileID, n, f.Size, err)
				}
			}
			if !h.sub.ExpiresAt().After(h.sub.OpenedAt) {
				t.Errorf("open submission %d never expires", id)
			}
		default:
			t.Errorf("submission %d is %s, but the clients never retract", id, sub.State)
		}
	}

	// Staff see exactly the reports of finished submissions, each once.
	listed, err := a.svc.ListReports(ctx, staff, haven.ReportFilter{Channel: haven.ChannelESP})
	if err != nil {
		t.Fatal(err)
	}
	espReports := ids(`SELECT id FROM reports WHERE channel = 'esp' ORDER BY id`)
	if len(listed) != len(espReports) || len(espReports) != finished {
		t.Errorf("staff list %d ESP reports; the store holds %d; %d submissions are finished", len(listed), len(espReports), finished)
	}
	for _, id := range espReports {
		if n := len(reportSub[id]); n != 1 {
			t.Errorf("report %d belongs to %d finished submissions, want exactly 1 (a report without its submission is half-written)", id, n)
		}
	}

	// Every acknowledged report is there, once and whole; nothing is there twice.
	var acked, unknownPresent int
	for _, r := range sent {
		hs := subs[r.marker]
		if len(hs) > 1 {
			t.Errorf("%s: %d submissions for one document: a retry duplicated it", r.marker, len(hs))
		}
		if r.finish == finishUnknown {
			if len(hs) == 1 && hs[0].sub.State == haven.EspFinished {
				unknownPresent++
				checkCrashReport(t, a, r, hs[0].sub, hs[0].xml, hs[0].files, hs[0].report, hs[0].atts)
			}
			continue
		}
		acked++
		if len(hs) == 0 {
			t.Errorf("%s: the finish of report %s was acknowledged, but the report is gone", r.marker, r.id)
			continue
		}
		h := hs[0]
		if strconv.FormatInt(h.sub.ID, 10) != r.id || h.sub.State != haven.EspFinished {
			t.Errorf("%s: acknowledged as report %s, stored as submission %d in state %s", r.marker, r.id, h.sub.ID, h.sub.State)
			continue
		}
		if r.finish == finishAcked && (len(r.files) != 1 || r.files[0] != r.fileID) {
			t.Errorf("%s: finish answered files %v, want [%s]", r.marker, r.files, r.fileID)
		}
		if len(h.files) != 1 || h.files[0].FileID != r.fileID {
			t.Errorf("%s: stored files %d, want the one uploaded (%s)", r.marker, len(h.files), r.fileID)
		}
		checkCrashReport(t, a, r, h.sub, h.xml, h.files, h.report, h.atts)
	}
	t.Logf("store: %d submissions (%d finished, %d open and left to expire), %d ESP reports; %d acknowledged present, %d unacknowledged finished too",
		finished+open, finished, open, len(espReports), acked, unknownPresent)

	// No job is lost: each ESP report is ingested or waits for its job.
	leased := 0
	jobsOf := func(dead bool) map[int64]int {
		var js []*haven.Job
		if err := a.store.View(ctx, func(tx haven.Tx) (err error) {
			js, err = tx.ListJobs(ctx, haven.JobIngestReport, dead, 1_000_000)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		out := map[int64]int{}
		for _, j := range js {
			out[j.RecordID]++
			if !dead && j.Attempts > 0 {
				leased++
			}
		}
		return out
	}
	pending, dead := jobsOf(false), jobsOf(true)
	leasedAtKill := leased
	waiting := 0
	for _, id := range espReports {
		r := reportByID(t, a, id)
		switch {
		case dead[id] > 0:
			t.Errorf("report %d: its ingest job is dead", id)
		case r.IngestedAt == nil && pending[id] == 0:
			t.Errorf("report %d is not ingested and has no ingest job: the job was lost", id)
		case r.IngestedAt == nil:
			waiting++
		}
	}
	// The jobs the killed servers had leased run again once their lease
	// ends: run the queue as a server JobLease later would.
	runner := jobs.NewRunner(a.store, a.log)
	runner.Handlers[haven.JobIngestReport] = jobs.Ingest(a.svc)
	addLinking(a.svc, a.keys)
	addTriage(a.svc, runner)
	runner.Now = func() time.Time { return time.Now().Add(haven.JobLease + time.Minute) }
	ran := 0
	for i := 0; i < 10000; i++ {
		n, err := runner.RunDue(ctx)
		if err != nil {
			t.Fatalf("run the jobs left: %v", err)
		}
		if n == 0 {
			break
		}
		ran += n
	}
	pending, dead = jobsOf(false), jobsOf(true)
	for _, id := range espReports {
		r := reportByID(t, a, id)
		if r.IngestedAt == nil || r.DueAt == nil || pending[id] > 0 || dead[id] > 0 {
			t.Errorf("report %d after the queue ran: ingested %v, triaged (due) %v, jobs pending %d, dead %d", id, r.IngestedAt, r.DueAt, pending[id], dead[id])
		}
	}
	t.Logf("jobs: %d reports were waiting for ingest after the last kill (%d of their jobs claimed by a killed server, so leased for up to %v); "+
		"the queue then ran %d jobs and tasks, and all %d ESP reports are ingested and triaged",
		waiting, leasedAtKill, haven.JobLease, ran, len(espReports))
}

func reportByID(t *testing.T, a *app, id int64) *haven.Report {
	t.Helper()
	var r *haven.Report
	if err := a.store.View(context.Background(), func(tx haven.Tx) (err error) {
		r, err = tx.ReportByID(context.Background(), id)
		return err
	}); err != nil {
		t.Fatalf("report %d: %v", id, err)
	}
	return r
}

// checkCrashReport checks a finished report against what its client sent:
// the document byte for byte, the report it maps to, and its file.
func checkCrashReport(t *testing.T, a *app, r *crashReport, sub *haven.EspSubmission, doc []byte, files []*haven.EspFile, rep *haven.Report, atts []*haven.Attachment) {
	t.Helper()
	if !bytes.Equal(doc, r.doc) {
		t.Errorf("%s: the stored document differs from the one sent", r.marker)
	}
	if rep == nil {
		t.Errorf("%s: submission %d is finished but has no readable report", r.marker, sub.ID)
		return
	}
	var fc []haven.EspFileContent
	for _, f := range files {
		fc = append(fc, haven.EspFileContent{File: f})
	}
	want, err := ispws.FinishReport(haven.EspContent{Submission: sub, XML: r.doc, Files: fc}, "crashchat", time.Now())
	if err != nil {
		t.Fatalf("%s: map the document: %v", r.marker, err)
	}
	want.Normalize()
	if rep.Channel != haven.ChannelESP || rep.Narrative != want.Narrative || rep.IncidentType != want.IncidentType ||
		rep.Reporter.Email != want.Reporter.Email || rep.Reporter.Organization != "crashchat" ||
		!strings.Contains(rep.Narrative, r.marker) {
		t.Errorf("%s: report %d is not what was sent:\nnarrative %q\nwant      %q\ntype %s, reporter %+v", r.marker, rep.ID, rep.Narrative, want.Narrative, rep.IncidentType, rep.Reporter)
	}
	have := map[string]bool{}
	for _, id := range rep.Identifiers {
		have[string(id.Kind)+"|"+id.Platform+"|"+id.Value] = true
	}
	for _, id := range want.Identifiers {
		if k := string(id.Kind) + "|" + id.Platform + "|" + id.Value; !have[k] {
			t.Errorf("%s: report %d lacks identifier %s", r.marker, rep.ID, k)
		}
	}
	if len(atts) != 1 {
		t.Errorf("%s: report %d has %d attachments, want the 1 file uploaded", r.marker, rep.ID, len(atts))
		return
	}
	_, rc, err := a.svc.OpenAttachment(context.Background(), haven.System("crash-test"), atts[0].ID, "crash test")
	if err != nil {
		t.Errorf("%s: its file cannot be opened: %v", r.marker, err)
		return
	}
	defer rc.Close()
	got, err := io.ReadAll(bufio.NewReader(rc))
	if sum := sha256.Sum256(got); err != nil || hex.EncodeToString(sum[:]) != r.fileSHA || atts[0].FileName != r.fileName {
		t.Errorf("%s: its file %q reads %d bytes with SHA-256 %x (err %v); sent %q, %d bytes, %s", r.marker, atts[0].FileName, len(got), sum, err, r.fileName, len(r.file), r.fileSHA)
	}
}
