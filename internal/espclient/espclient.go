// Package espclient is a client of Haven's ESP reporting API (the
// CyberTipline-compatible "ispws" protocol served by internal/ispws): submit a report, upload its files, describe
// them, finish or retract it, over HTTP Basic authentication. It shares no
// types with the server (internal/ispws), so that it talks to Haven as an
// online service provider's own client would. The load generator
// (internal/loadgen) and tests use it.
package espclient

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// Client talks to one ESP reporting API as one ESP account. Its zero HTTP
// field means http.DefaultClient. A Client is safe for concurrent use.
type Client struct {
	// BaseURL is the API's base, e.g. https://haven.example.org/ispws.
	BaseURL string
	// User and Password are the ESP account's credentials.
	User, Password string
	HTTP           *http.Client
}

// Response is a <reportResponse>.
type Response struct {
	XMLName     xml.Name `xml:"reportResponse"`
	Code        int      `xml:"responseCode"`
	Description string   `xml:"responseDescription"`
	ReportID    string   `xml:"reportId"`
	FileID      string   `xml:"fileId"`
	Hash        string   `xml:"hash"`
}

// DoneResponse is a <reportDoneResponse>, the answer to finish: the ESP's
// receipt.
type DoneResponse struct {
	XMLName  xml.Name `xml:"reportDoneResponse"`
	Code     int      `xml:"responseCode"`
	ReportID string   `xml:"reportId"`
	FileIDs  []string `xml:"files>fileId"`
}

// Error is a refusal by the server: an HTTP status other than 200, or a
// non-zero response code. Code is 0 when the body was not a protocol
// answer (Body then holds its start).
type Error struct {
	Op          string // submit, upload, fileinfo, finish, retract, status
	Status      int    // HTTP status
	Code        int    // the protocol's response code (0 if none)
	Description string
	Body        string
}

func (e *Error) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("esp %s: HTTP %d, code %d %s", e.Op, e.Status, e.Code, e.Description)
	}
	return fmt.Sprintf("esp %s: HTTP %d, not a protocol answer: %.200q", e.Op, e.Status, e.Body)
}

// AsError returns err's *Error, or nil when err is not a refusal by the
// server (a network failure, a cancelled context).
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// do sends one request and returns the answer's status and body.
func (c *Client) do(ctx context.Context, op, method, path, contentType string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("esp %s: %w", op, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.SetBasicAuth(c.User, c.Password)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("esp %s: %w", op, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("esp %s: reading the answer: %w", op, err)
	}
	return resp.StatusCode, b, nil
}

// response decodes a <reportResponse>, turning a refusal into *Error.
func response(op string, status int, body []byte) (*Response, error) {
	var r Response
	if err := xml.Unmarshal(body, &r); err != nil {
		return nil, &Error{Op: op, Status: status, Body: string(body)}
	}
	if status != http.StatusOK || r.Code != 0 {
		return &r, &Error{Op: op, Status: status, Code: r.Code, Description: r.Description}
	}
	return &r, nil
}

// Status checks the credentials (GET /status).
func (c *Client) Status(ctx context.Context) (*Response, error) {
	st, b, err := c.do(ctx, "status", http.MethodGet, "/status", "", nil)
	if err != nil {
		return nil, err
	}
	return response("status", st, b)
}

// Submit opens a report with a <report> document and returns its id.
func (c *Client) Submit(ctx context.Context, report []byte) (string, error) {
	st, b, err := c.do(ctx, "submit", http.MethodPost, "/submit", "text/xml; charset=utf-8", report)
	if err != nil {
		return "", err
	}
	r, err := response("submit", st, b)
	if err != nil {
		return "", err
	}
	if r.ReportID == "" {
		return "", &Error{Op: "submit", Status: st, Body: string(b)}
	}
	return r.ReportID, nil
}

// Upload adds a file to an open report; the answer carries the file's id
// and the MD5 of the bytes the server received.
func (c *Client) Upload(ctx context.Context, reportID, name string, data []byte) (*Response, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("id", reportID); err != nil {
		return nil, err
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return nil, err
	}
	if _, err := fw.Write(data); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	st, b, err := c.do(ctx, "upload", http.MethodPost, "/upload", mw.FormDataContentType(), buf.Bytes())
	if err != nil {
		return nil, err
	}
	r, err := response("upload", st, b)
	if err == nil && r.FileID == "" {
		return nil, &Error{Op: "upload", Status: st, Body: string(b)}
	}
	return r, err
}

// FileInfo describes an uploaded file with a <fileDetails> document.
func (c *Client) FileInfo(ctx context.Context, details []byte) error {
	st, b, err := c.do(ctx, "fileinfo", http.MethodPost, "/fileinfo", "text/xml; charset=utf-8", details)
	if err != nil {
		return err
	}
	_, err = response("fileinfo", st, b)
	return err
}

// Finish closes a report for good and returns the receipt.
func (c *Client) Finish(ctx context.Context, reportID string) (*DoneResponse, error) {
	st, b, err := c.do(ctx, "finish", http.MethodPost, "/finish", "application/x-www-form-urlencoded",
		[]byte(url.Values{"id": {reportID}}.Encode()))
	if err != nil {
		return nil, err
	}
	var d DoneResponse
	if xml.Unmarshal(b, &d) == nil && st == http.StatusOK && d.Code == 0 {
		return &d, nil
	}
	_, err = response("finish", st, b)
	if err == nil { // a 200 <reportResponse> instead of <reportDoneResponse>
		err = &Error{Op: "finish", Status: st, Body: string(b)}
	}
	return nil, err
}

// Retract cancels an unfinished report.
func (c *Client) Retract(ctx context.Context, reportID string) error {
	st, b, err := c.do(ctx, "retract", http.MethodPost, "/retract", "application/x-www-form-urlencoded",
		[]byte(url.Values{"id": {reportID}}.Encode()))
	if err != nil {
		return err
	}
	_, err = response("retract", st, b)
	return err
}
