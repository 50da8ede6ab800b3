package ig

func bad() int { return 0 }

func f() {
	bad() // want "call to bad"
	bad() //durable:ignore toy tested elsewhere
	//durable:ignore toy the next line is fine
	bad()
	//durable:ignore toy nothing here // want "matches no toy finding"

	x := 1
	_ = x
	bad() //durable:ignore toy // want "needs a reason" "call to bad"
	bad() //durable:ignore other a different analyzer // want "call to bad"
}

//durable:ignore toy the whole function is a fixture
func g() {
	bad()
	bad()
}
