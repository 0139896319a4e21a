package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// serveAdmin serves the admin endpoints, which stand in for what a person
// does on Tradovate's side (approving a device from the e-mail link) and
// for driving the sandbox from outside the process:
//
//	GET  /admin                     the server's URLs
//	GET  /admin/devices             devices waiting for approval
//	POST /admin/devices/approve     {"name":"…","deviceId":"…"} (or the same as query parameters)
//	POST /admin/feed                {"symbol":"ESM6","bid":4800,"ask":4800.25,"price":4800.25,"size":1}
//
// They need no token: the sandbox only listens on loopback, and refuses
// requests for foreign hosts and state changes from foreign pages
// (guard.go). Those that change state take POST only.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request, path string) {
	writeJSON := func(v any) {
		b, _ := wire.Marshal(v)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		writeError(w, 400, err.Error())
		return
	}
	switch lower(path) {
	case "":
		urls := map[string]string{"admin": s.AdminURL()}
		for _, svc := range Services() {
			urls[string(svc)] = s.RESTURL(svc)
			urls[string(svc)+"WebSocket"] = s.WebSocketURL(svc)
		}
		writeJSON(urls)
	case "devices":
		writeJSON(map[string]any{"pending": nonNilDevices(s.PendingDevices())})
	case "devices/approve":
		if !allowMethods(w, r, http.MethodPost) {
			return
		}
		var req struct {
			Name     string `json:"name"`
			DeviceID string `json:"deviceId"`
		}
		if len(body) > 0 {
			if err := json.Unmarshal(body, &req); err != nil {
				writeError(w, 400, "Bad request: "+err.Error())
				return
			}
		}
		if req.Name == "" {
			req.Name = r.URL.Query().Get("name")
		}
		if req.DeviceID == "" {
			req.DeviceID = r.URL.Query().Get("deviceId")
		}
		if err := s.ApproveDevice(req.Name, req.DeviceID); err != nil {
			writeError(w, 400, err.Error())
			return
		}
		writeJSON(wire.SimpleResponse{OK: true})
	case "feed":
		if !allowMethods(w, r, http.MethodPost) {
			return
		}
		t, err := s.adminTick(body)
		if err != nil {
			writeError(w, 400, err.Error())
			return
		}
		s.Feed(t)
		writeJSON(wire.SimpleResponse{OK: true})
	default:
		if s.serveFaultAdmin(w, r, lower(path), body) { // faults, conns, scenario (fault_admin.go)
			return
		}
		writeError(w, 404, "Not found: /admin/"+path)
	}
}

func nonNilDevices(d []DeviceRequest) []DeviceRequest {
	if d == nil {
		return []DeviceRequest{}
	}
	return d
}

// adminTick decodes a tick for /admin/feed; prices are exact.
func (s *Server) adminTick(body []byte) (venue.Tick, error) {
	var in struct {
		Symbol    string       `json:"symbol"`
		Time      wire.Time    `json:"time"`
		Price     *venue.Price `json:"price"`
		Size      int32        `json:"size"`
		Bid       *venue.Price `json:"bid"`
		Ask       *venue.Price `json:"ask"`
		BidSize   int32        `json:"bidSize"`
		AskSize   int32        `json:"askSize"`
		Aggressor venue.Side   `json:"aggressor"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return venue.Tick{}, fmt.Errorf("bad tick: %w", err)
	}
	id, err := s.ContractID(in.Symbol)
	if err != nil {
		return venue.Tick{}, err
	}
	t := venue.Tick{Contract: id, Time: in.Time.UnixNano(), Recv: time.Now().UnixNano(), Aggressor: in.Aggressor}
	if in.Time.IsZero() {
		t.Time = s.clock.Now().UnixNano()
	}
	if in.Price != nil {
		t.Flags |= venue.HasTrade
		t.Price, t.Size = *in.Price, max(in.Size, 1)
	}
	if in.Bid != nil || in.Ask != nil {
		t.Flags |= venue.HasQuote
		t.Bid, t.Ask, t.BidSize, t.AskSize = price(in.Bid), price(in.Ask), in.BidSize, in.AskSize
	}
	if t.Flags == 0 {
		return venue.Tick{}, fmt.Errorf("bad tick: give price (a trade), bid/ask (a quote) or both")
	}
	return t, nil
}
