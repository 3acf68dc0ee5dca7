package compose

import "sort"

// planEach is the plan of a verb that does one thing to each container (start, stop,
// down's removals): act says what and why; a container it leaves as it is gets a
// keep, so that the order through it holds. Forward, each container waits for those
// of the services it depends on; reversed, for those of the services depending on
// it. The order comes from the containers' labels (containerOrder), so it holds
// without the compose file. The plan lists each operation after those it waits for.
func planEach(cs []Container, reverse bool, act func(Container) (OpKind, string)) Plan {
	ids := map[string]OpID{} // container ID → its operation
	reasons := map[string]string{}
	for _, c := range cs {
		kind, reason := act(c)
		ids[c.ID], reasons[c.ID] = OpID{Kind: kind, Target: c.Name}, reason
	}
	waitFor := containerOrder(cs, reverse)
	byID := map[string]*Container{}
	for i := range cs {
		byID[cs[i].ID] = &cs[i]
	}
	var plan Plan
	listed := map[string]bool{}
	var list func(c *Container)
	list = func(c *Container) {
		if listed[c.ID] {
			return
		}
		listed[c.ID] = true
		op := Op{Kind: ids[c.ID].Kind, Target: c.Name, Service: c.Service, Number: c.Number, Existing: c, Reason: reasons[c.ID]}
		for _, id := range waitFor[c.ID] {
			list(byID[id])
			op.After = append(op.After, ids[id])
		}
		sort.Slice(op.After, func(i, j int) bool { return op.After[i].Target < op.After[j].Target })
		plan.Ops = append(plan.Ops, op)
	}
	for i := range cs {
		list(&cs[i])
	}
	return plan
}
