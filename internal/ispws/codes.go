package ispws

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net/http"

	"github.com/haven-oss/haven/internal/haven"
)

// Response codes of the protocol. This file is the one place that maps
// haven's errors to them and them to HTTP statuses.
const (
	CodeSuccess           = 0
	CodeServerError       = 1000
	CodeSaveFailed        = 1100
	CodeUploadFailed      = 1110
	CodeFileUploadFailed  = 1111
	CodeNotFound          = 1210
	CodeUpdateFailed      = 1300
	CodeAuthRequired      = 2000
	CodeNotAuthorized     = 3000
	CodeNoSubmissionRight = 3100
	CodeNoUpdateRight     = 3300
	CodeInvalidRequest    = 4000
	CodeValidationFailed  = 4100
	CodeMalformedXML      = 4110
	CodeMalformedFile     = 4200
	CodeNoReport          = 5001
	CodeNoFile            = 5002
	CodeRetracted         = 5101
	CodeFinished          = 5102
)

var descriptions = map[int]string{
	CodeSuccess:           "Success",
	CodeServerError:       "Server error",
	CodeSaveFailed:        "Save failed",
	CodeUploadFailed:      "Upload failed",
	CodeFileUploadFailed:  "File upload failed",
	CodeNotFound:          "Resource not found",
	CodeUpdateFailed:      "Update failed",
	CodeAuthRequired:      "Authentication required",
	CodeNotAuthorized:     "User is not authorized to perform this action",
	CodeNoSubmissionRight: "No submission rights",
	CodeNoUpdateRight:     "No update rights",
	CodeInvalidRequest:    "Invalid request",
	CodeValidationFailed:  "Validation failed",
	CodeMalformedXML:      "Malformed XML",
	CodeMalformedFile:     "Malformed file",
	CodeNoReport:          "Report does not exist",
	CodeNoFile:            "File does not exist",
	CodeRetracted:         "Report already retracted",
	CodeFinished:          "Report already finished",
}

func describe(code int) string { return descriptions[code] }

// httpStatus is the HTTP status answering a code.
func httpStatus(code int) int {
	switch {
	case code == CodeSuccess:
		return http.StatusOK
	case code == CodeAuthRequired:
		return http.StatusUnauthorized
	case code >= 3000 && code < 4000:
		return http.StatusForbidden
	case code >= 4000 && code < 5000:
		return http.StatusBadRequest
	case code == CodeNoReport || code == CodeNoFile || code == CodeNotFound:
		return http.StatusNotFound
	case code == CodeRetracted || code == CodeFinished:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// codeOf maps an error to its code and description. failed is the code of
// the operation's own failure, used for faults on our side (whose details
// go to the log, never to the ESP).
func codeOf(err error, failed int) (int, string) {
	var mal *malformedError
	var inv *invalidError
	switch {
	case errors.As(err, &mal):
		return CodeMalformedXML, describe(CodeMalformedXML) + ": " + mal.msg
	case errors.As(err, &inv):
		return CodeValidationFailed, describe(CodeValidationFailed) + ": " + inv.Error()
	case errors.Is(err, haven.ErrEspNoReport):
		return CodeNoReport, describe(CodeNoReport)
	case errors.Is(err, haven.ErrEspNoFile):
		return CodeNoFile, describe(CodeNoFile)
	case errors.Is(err, haven.ErrEspRetracted):
		return CodeRetracted, describe(CodeRetracted)
	case errors.Is(err, haven.ErrEspFinished):
		return CodeFinished, describe(CodeFinished)
	}
	switch haven.ErrorCode(err) {
	case haven.EINVALID:
		if haven.ErrorField(err) == "file" {
			return CodeMalformedFile, describe(CodeMalformedFile) + ": " + haven.ErrorMessage(err)
		}
		msg := haven.ErrorMessage(err)
		if f := haven.ErrorField(err); f != "" {
			msg = f + ": " + msg
		}
		return CodeValidationFailed, describe(CodeValidationFailed) + ": " + msg
	case haven.EUNAUTHORIZED:
		return CodeAuthRequired, describe(CodeAuthRequired)
	case haven.EFORBIDDEN:
		return CodeNotAuthorized, describe(CodeNotAuthorized)
	case haven.ENOTFOUND:
		return CodeNotFound, describe(CodeNotFound)
	case haven.ECONFLICT:
		return CodeUpdateFailed, describe(CodeUpdateFailed)
	}
	return failed, describe(failed)
}

func rand64() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:])
}
