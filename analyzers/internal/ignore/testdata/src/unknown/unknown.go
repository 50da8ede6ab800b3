package unknown

func f() int {
	x := 1 //durable:ignore toy known analyzer, fine
	y := 2 //durable:ignore tyo misspelled // want `names unknown analyzer "tyo"`
	//durable:ignore // want "needs an analyzer name"
	return x + y
}
