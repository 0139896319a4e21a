package indicator_test

import (
	"fmt"

	"github.com/keeltrade/keel/strategy/indicator"
)

func ExampleSMA() {
	sma, err := indicator.NewSMA(3)
	if err != nil {
		panic(err)
	}
	for _, v := range []float64{1, 2, 3, 4} {
		sma.Update(v)
		fmt.Println(sma.Ready(), sma.Value())
	}
	// Output:
	// false 0
	// false 0
	// true 2
	// true 3
}

func ExampleBollinger() {
	bb, err := indicator.NewBollinger(3, 2)
	if err != nil {
		panic(err)
	}
	for _, v := range []float64{3, 4, 8} {
		bb.Update(v)
	}
	lower, mid, upper := bb.Bands()
	fmt.Printf("%.4f %.4f %.4f\n", lower, mid, upper)
	// Output: 0.6795 5.0000 9.3205
}

func ExampleRSI() {
	rsi, err := indicator.NewRSI(3)
	if err != nil {
		panic(err)
	}
	for _, v := range []float64{10, 11, 12, 11, 13} {
		rsi.Update(v)
	}
	fmt.Printf("%.2f\n", rsi.Value())
	// Output: 83.33
}

func ExampleVWAP() {
	vwap := indicator.NewVWAP()
	vwap.Update(100, 10)
	vwap.Update(101, 20)
	vwap.Update(99, 10)
	fmt.Println(vwap.Value())

	vwap.Reset() // next session
	fmt.Println(vwap.Ready(), vwap.Value())
	// Output:
	// 100.25
	// false 0
}
