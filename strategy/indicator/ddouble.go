package indicator

import "math"

// dd is a double-double: the unevaluated sum hi + lo with |lo| <= ulp(hi)/2,
// carrying about 106 bits of mantissa. rolling keeps its sums in it so that
// adding a value and later subtracting it leaves (almost) nothing behind, and
// so that sums of squares can be differenced without cancellation.
//
// The algorithms are the standard error-free transformations (Knuth's
// TwoSum, FMA-based TwoProduct) and the accurate additions of the QD library
// (Hida, Li, Bailey). None of them allocate.
type dd struct{ hi, lo float64 }

// twoSum returns s = fl(a+b) and the exact rounding error e: a+b = s+e.
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}

// fastTwoSum is twoSum for |a| >= |b| (or a == 0).
func fastTwoSum(a, b float64) (s, e float64) {
	s = a + b
	e = b - (s - a)
	return s, e
}

// twoProd returns the product a·b exactly as a dd.
func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

// addF returns x + b.
func (x dd) addF(b float64) dd {
	s, e := twoSum(x.hi, b)
	e += x.lo
	s, e = fastTwoSum(s, e)
	return dd{s, e}
}

// add returns x + y, accurate to a few units in the 106th bit of the result
// even under cancellation.
func (x dd) add(y dd) dd {
	s1, s2 := twoSum(x.hi, y.hi)
	t1, t2 := twoSum(x.lo, y.lo)
	s2 += t1
	s1, s2 = fastTwoSum(s1, s2)
	s2 += t2
	s1, s2 = fastTwoSum(s1, s2)
	return dd{s1, s2}
}

// neg returns −x.
func (x dd) neg() dd { return dd{-x.hi, -x.lo} }

// mulF returns x·b.
func (x dd) mulF(b float64) dd {
	p := twoProd(x.hi, b)
	p.lo += x.lo * b
	s, e := fastTwoSum(p.hi, p.lo)
	return dd{s, e}
}

// sqr returns x².
func (x dd) sqr() dd {
	p := twoProd(x.hi, x.hi)
	p.lo += 2 * x.hi * x.lo
	s, e := fastTwoSum(p.hi, p.lo)
	return dd{s, e}
}

// float rounds x to the nearest float64.
func (x dd) float() float64 { return x.hi + x.lo }
