package console

// clientRoutes registers the pages of the confidential clients.
func (c *Console) clientRoutes() {}
