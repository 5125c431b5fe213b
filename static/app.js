// app.js - wires the store, the views and the controller; nothing else.
import { Store } from './js/store.js';
import { Controller } from './js/controller.js';
import { ToolbarView } from './js/view_toolbar.js';
import { PacketsView } from './js/view_packets.js';
import { JourneyView } from './js/view_journey.js';
import { MapView } from './js/view_map.js';
import { InspectorView } from './js/view_inspector.js';
import { TimelineView } from './js/view_timeline.js';
import { StateView } from './js/view_state.js';
import { FlowsView } from './js/view_flows.js';
import { LessonsView } from './js/view_lessons.js';
import { WhatIfView } from './js/view_whatif.js';

const controller = new Controller(new Store(), {
	toolbar: new ToolbarView(), packets: new PacketsView(), journey: new JourneyView(), map: new MapView(),
	inspector: new InspectorView(), timeline: new TimelineView(), state: new StateView(), flows: new FlowsView(),
	lessons: new LessonsView(), whatif: new WhatIfView(),
});
window.addEventListener('load', () => controller.init());
