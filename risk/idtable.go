package risk

import (
	"math/bits"
	"math/rand/v2"
	"unsafe"
)

// idTable maps client ids to order records. Every allowed intent inserts
// an id and every ended order deletes one, so the table churns constantly;
// a Go map slows down under that churn (deleted slots leave tombstones
// that lookups of absent keys must probe past). This is linear probing
// with backward-shift deletion, so there are no tombstones: every probe
// sequence ends at the first empty slot. It stays at most half full, and
// allocates only to grow.
type idTable struct {
	seed  uint64
	slots []idSlot // length a power of two
	n     int
}

type idSlot struct {
	h uint64 // hash of o.id
	o *order // nil: empty
}

func newIDTable(capacity int) idTable {
	n := 16
	for n < 2*capacity {
		n *= 2
	}
	return idTable{seed: rand.Uint64(), slots: make([]idSlot, n)}
}

// hashID hashes a client id with the table's random seed: wyhash's mixing
// (a 64×64→128-bit multiply folded to 64 bits) over 8-byte words, with no
// call into the runtime; ids are short ("<strategy>-<session>-<seq>"), so
// it usually reads two words.
func hashID(seed uint64, id string) uint64 {
	const k1, k2, k3 = 0xa0761d6478bd642f, 0xe7037ed1a0b428db, 0x8ebc6af09c88c6e3
	n := len(id)
	p := unsafe.Pointer(unsafe.StringData(id))
	var a, b uint64
	switch {
	case n == 0:
	case n < 4:
		a = uint64(*(*byte)(p))<<16 | uint64(*(*byte)(unsafe.Add(p, n>>1)))<<8 | uint64(*(*byte)(unsafe.Add(p, n-1)))
	case n < 8:
		a, b = uint64(r4(p)), uint64(r4(unsafe.Add(p, n-4)))
	case n <= 16:
		a, b = r8(p), r8(unsafe.Add(p, n-8))
	default:
		l := n
		for ; l > 16; l -= 16 {
			seed = mix(r8(p)^k1, r8(unsafe.Add(p, 8))^seed)
			p = unsafe.Add(p, 16)
		}
		a, b = r8(unsafe.Add(p, l-16)), r8(unsafe.Add(p, l-8))
	}
	return mix(k3^uint64(n), mix(a^seed^k1, b^seed^k2))
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// r4 and r8 read 4 and 8 bytes, little endian.
func r4(p unsafe.Pointer) uint32 {
	b := (*[4]byte)(p)
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func r8(p unsafe.Pointer) uint64 {
	b := (*[8]byte)(p)
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func (t *idTable) len() int { return t.n }

func (t *idTable) get(id string) *order {
	h := hashID(t.seed, id)
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.o == nil {
			return nil
		}
		if s.h == h && sameString(s.o.id, id) {
			return s.o
		}
	}
}

// sameString is a == b, without a call when they share their bytes (the
// engine passes the same strings back: client ids, strategy names).
func sameString(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// insert adds o unless a record with its id is present, which it returns
// instead.
func (t *idTable) insert(o *order) *order {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	h := hashID(t.seed, o.id)
	o.h = h
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.o == nil {
			*s = idSlot{h: h, o: o}
			t.n++
			return nil
		}
		if s.h == h && s.o.id == o.id {
			return s.o
		}
	}
}

func (t *idTable) grow() {
	old := t.slots
	t.slots = make([]idSlot, 2*len(old))
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.o == nil {
			continue
		}
		i := s.h & mask
		for t.slots[i].o != nil {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// remove deletes o's record if it is the one stored under its id.
func (t *idTable) remove(o *order) {
	h := o.h
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for ; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.o == nil {
			return
		}
		if s.o == o {
			break
		}
	}
	t.n--
	// Backward shift: pull later entries of the probe run into the hole
	// unless their home slot lies cyclically in (hole, entry].
	for j := (i + 1) & mask; t.slots[j].o != nil; j = (j + 1) & mask {
		k := t.slots[j].h & mask
		if (i <= j && i < k && k <= j) || (i > j && (i < k || k <= j)) {
			continue
		}
		t.slots[i] = t.slots[j]
		i = j
	}
	t.slots[i] = idSlot{}
}

// each calls f for every record; f may remove the record it is given.
func (t *idTable) each(f func(*order)) {
	for i := 0; i < len(t.slots); {
		o := t.slots[i].o
		if o == nil {
			i++
			continue
		}
		f(o)
		if t.slots[i].o == o {
			i++
		}
	}
}
