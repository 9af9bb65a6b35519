import type { WebhookAlert } from "../../automation/alertmanager-webhook";
import { applyFreeze } from "../../automation/freeze";
import { actionsFor } from "../../automation/server";

/** The service acts on the alerts the Deployment names (DISK_SPACE_ALERT, MEMORY_LEAK_ALERT). */

const names = { diskSpace: "DiskFilling", memoryLeak: "HeapGrowing" };
const alert = (alertname: string, severity: string, status = "firing"): WebhookAlert => ({
  status: status as WebhookAlert["status"],
  labels: { alertname, severity, node: "node-a" },
  annotations: {},
  startsAt: "2026-12-06T23:00:00Z",
  fingerprint: `${alertname}-${severity}`,
});

describe("the actions of an alert", () => {
  it("follow the names it is given", () => {
    expect(actionsFor(alert("DiskFilling", "critical"), names)).toEqual(["freeze", "rotate-logs"]);
    expect(actionsFor(alert("DiskFilling", "critical", "resolved"), names)).toEqual(["unfreeze"]);
    expect(actionsFor(alert("DiskFilling", "warning"), names)).toEqual(["rotate-logs"]);
    expect(actionsFor(alert("HeapGrowing", "warning"), names)).toEqual(["heap-snapshot"]);
    expect(actionsFor(alert("HeapGrowing", "critical"), names)).toEqual(["restart"]);
  });

  it("are none for an alert it was not named, whatever its name", () => {
    expect(actionsFor(alert("HostDiskSpaceLow", "critical"), names)).toEqual([]);
    expect(actionsFor(alert("Port8000MemoryLeak", "warning"), names)).toEqual([]);
  });

  it("freeze with the holding alert's name as the reason", () => {
    const empty = { frozen: false, alerts: [], reason: "", updatedAt: "" };
    expect(applyFreeze(empty, alert("DiskFilling", "critical"), true).reason).toBe(
      "DiskFilling critical on node-a",
    );
  });
});
