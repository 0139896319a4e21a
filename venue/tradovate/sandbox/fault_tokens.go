package sandbox

// Token faults: expire access tokens now, and decide what the next
// renewal does.

// expireTokens expires the tokens ft targets (every user's, one user's, or
// one socket's session's) and records what their next renewal does. It
// returns how many sessions lost their tokens.
func (f *faultSet) expireTokens(ft Fault) int {
	var only *Session
	if c := ft.Target.Conn; c != nil {
		if only = c.Session(); only == nil {
			return 0
		}
	}
	a := f.srv.auth
	now := f.srv.clock.Now()
	var expired []string
	sessions := map[*Session]bool{}
	a.mu.Lock()
	for tok, t := range a.tokens {
		if only != nil && t.sess != only {
			continue
		}
		if ft.Target.User != "" && lower(t.sess.user.cfg.Name) != lower(ft.Target.User) {
			continue
		}
		if now.Before(t.expires) {
			t.expires = now
			expired = append(expired, tok)
			sessions[t.sess] = true
		}
	}
	a.mu.Unlock()

	f.mu.Lock()
	if ft.Renew == RenewSucceeds {
		for _, tok := range expired {
			f.renewOnce[tok] = true
		}
	} else {
		for sess := range sessions {
			f.renewFail[sess] = true
		}
	}
	f.recount()
	f.mu.Unlock()
	if len(sessions) > 0 {
		f.installMiddleware()
	}
	return len(sessions)
}

// renewExpired is asked by REST for auth/renewaccesstoken when the bearer
// token did not resolve: the session of an expired token allowed one
// renewal (RenewSucceeds), else nil. A REST renewal that fails this way
// also uses up the session's pending socket renewal failure.
func (f *faultSet) renewExpired(tok string) *Session {
	if f.calls.Load() == 0 {
		return nil
	}
	a := f.srv.auth
	a.mu.Lock()
	var sess *Session
	if t := a.tokens[tok]; t != nil && !t.sess.evicted {
		sess = t.sess
	}
	a.mu.Unlock()
	if sess == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ok := f.renewOnce[tok]
	delete(f.renewOnce, tok)
	if !ok {
		delete(f.renewFail, sess)
	}
	f.recount()
	if !ok {
		return nil
	}
	return sess
}

// takeRenewFailure reports, once, that a socket renewal of sess must fail.
func (f *faultSet) takeRenewFailure(sess *Session) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.renewFail[sess] {
		return false
	}
	delete(f.renewFail, sess)
	f.recount()
	return true
}
