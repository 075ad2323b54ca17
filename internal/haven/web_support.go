package haven

import "context"

// PendingUser returns the user behind a half-signed-in session (password
// proved, TOTP not yet), so that the TOTP page can tell a user who must
// still enrol (and show them TOTPSecret) from one who only types a code.
// An unknown or expired session is EUNAUTHORIZED; a complete session is
// ECONFLICT ("already signed in"). It changes nothing and audits nothing.
func (s *Service) PendingUser(ctx context.Context, token string) (*User, error) {
	sess, u, err := s.session(ctx, token)
	if err != nil {
		return nil, err
	}
	if sess.MFAVerified {
		return nil, Errorf(ECONFLICT, "You are already signed in.")
	}
	return u, nil
}
