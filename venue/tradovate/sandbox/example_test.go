package sandbox_test

import (
	"fmt"
	"strings"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// A sandbox outside tests, as `runner sim` runs it.
func ExampleNew() {
	s, err := sandbox.New(sandbox.Config{})
	if err != nil {
		panic(err)
	}
	if err := s.Start(); err != nil {
		panic(err)
	}
	defer s.Close()
	base := s.URL()
	fmt.Println(strings.TrimPrefix(s.RESTURL(sandbox.Live), base))
	fmt.Println(strings.TrimPrefix(s.WebSocketURL(sandbox.Live), "ws"+strings.TrimPrefix(base, "http")))
	fmt.Println(s.Credentials())
	// Output:
	// /live/v1
	// /live/v1/websocket
	// {name:keeltest appId:keel cid:8 deviceId:8de822d5-38c2-5a46-ae79-b23d9e982c8c password:*** sec:***}
}
