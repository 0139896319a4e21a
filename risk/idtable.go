package risk

import "hash/maphash"

// idTable maps client ids to order records. Every allowed intent inserts
// an id and every ended order deletes one, so the table churns constantly;
// a Go map slows down under that churn (deleted slots leave tombstones
// that lookups of absent keys must probe past). This is linear probing
// with backward-shift deletion, so there are no tombstones: every probe
// sequence ends at the first empty slot. It stays at most half full, and
// allocates only to grow.
type idTable struct {
	seed  maphash.Seed
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
	return idTable{seed: maphash.MakeSeed(), slots: make([]idSlot, n)}
}

func (t *idTable) len() int { return t.n }

func (t *idTable) get(id string) *order {
	h := maphash.String(t.seed, id)
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.o == nil {
			return nil
		}
		if s.h == h && s.o.id == id {
			return s.o
		}
	}
}

// insert adds o unless a record with its id is present, which it returns
// instead.
func (t *idTable) insert(o *order) *order {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	h := maphash.String(t.seed, o.id)
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
