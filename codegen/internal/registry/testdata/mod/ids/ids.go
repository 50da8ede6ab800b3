package ids

const (
	Prefix = "fx-"
	Gamma  = Prefix + "gamma"
)
