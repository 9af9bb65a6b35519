import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { RecordName } from "../alerts/recording";
import { AlertName } from "../lib/alert-names";
import { DashboardUid, Job, NODE_LABEL } from "../lib/conventions";
import {
  type DashboardContext,
  dashboardFrame,
  instantQuery,
  labelVariable,
  prometheusVariable,
  query,
  runbookLink,
  statPanel,
  thresholds,
  timeseriesPanel,
} from "./common";
import { statusRow } from "./status";

/**
 * Guide 1.4 Resource Utilization: host CPU, memory, disk, network, file descriptors. Scoped by
 * the Kubernetes node, which node exporter and Port 8000 targets both carry.
 */

const HOST = `job="${Job.node}", ${NODE_LABEL}=~"$${NODE_LABEL}"`;
const APP = `job="${Job.port8000}", ${NODE_LABEL}=~"$${NODE_LABEL}"`;
const REAL_FS = `${HOST}, fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs|fuse.lxcfs"`;
const BY_NODE = `{{${NODE_LABEL}}}`;
/**
 * Network devices that are not a host's own link: loopback, container veths and bridges, and
 * the CNI's per-pod and tunnel devices (AWS VPC CNI, Calico, Flannel, Cilium ...).
 */
export const VIRTUAL_DEVICES =
  "lo|veth.*|docker.*|br-.*|cni.*|cali.*|tunl.*|flannel.*|vxlan.*|virbr.*|lxc.*|eni.*|kube-ipvs.*|cilium.*|genev.*";
const REAL_NIC = `${HOST}, device!~"${VIRTUAL_DEVICES}"`;

function cpuMemoryRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const t = ctx.config.thresholds;
  b.withRow(new dashboard.RowBuilder("CPU and memory"))
    .withPanel(
      timeseriesPanel({
        title: "Host CPU busy",
        description: `Busy share of all cores over ${t.hostCpuRatio.window} (recording rule of ${AlertName.HostHighCpu}, whose threshold is the line).`,
        unit: "percentunit",
        queries: [query(`${RecordName.hostCpu(t.hostCpuRatio.window)}{${HOST}}`, BY_NODE)],
        thresholds: thresholds(t.hostCpuRatio),
        links: [runbookLink(ctx, "high-cpu", "high CPU")],
        min: 0,
        max: 1,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Host memory used",
        description: `1 - MemAvailable / MemTotal (recording rule of ${AlertName.HostMemoryPressure}); the lines are its warning and critical thresholds.`,
        unit: "percentunit",
        queries: [query(`${RecordName.hostMemory}{${HOST}}`, BY_NODE)],
        thresholds: thresholds(t.hostMemoryRatio),
        links: [runbookLink(ctx, "memory", "memory")],
        min: 0,
        max: 1,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Swap activity",
        description:
          "Pages swapped in and out per second (guide 1.3: cross-check memory with swap).",
        unit: "short",
        queries: [
          query(`rate(node_vmstat_pswpin{${HOST}}[$__rate_interval])`, `${BY_NODE} in`, "A"),
          query(`rate(node_vmstat_pswpout{${HOST}}[$__rate_interval])`, `${BY_NODE} out`, "B"),
        ],
        links: [runbookLink(ctx, "memory", "memory")],
        min: 0,
      }),
    );
  b.withRow(new dashboard.RowBuilder("Port 8000 memory and OOM kills"))
    .withPanel(
      timeseriesPanel({
        title: "Port 8000 resident memory",
        description: `Resident memory of each Port 8000 process (process_resident_memory_bytes); ${AlertName.Port8000MemoryLeak} warns when it grows by 500 MiB in 15m while the host's available memory falls.`,
        unit: "bytes",
        queries: [query(`process_resident_memory_bytes{${APP}}`, `${BY_NODE} {{instance}}`)],
        links: [runbookLink(ctx, "memory", "memory")],
        width: 12,
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "OOM kills",
        description: `Processes the kernel's OOM killer ended on each host in the last 5m (node_vmstat_oom_kill); ${AlertName.HostOomKill} pages on any.`,
        unit: "short",
        queries: [query(`increase(node_vmstat_oom_kill{${HOST}}[5m])`, BY_NODE)],
        thresholds: thresholds({ critical: 1 }),
        links: [runbookLink(ctx, "memory", "memory")],
        width: 12,
        min: 0,
      }),
    );
}

function status(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const t = ctx.config.thresholds;
  statusRow(ctx, b, DashboardUid.resources, "memory", [
    statPanel({
      title: "Busiest host CPU",
      description: `Busy share of the busiest host's cores over ${t.hostCpuRatio.window} (recording rule of ${AlertName.HostHighCpu}).`,
      unit: "percentunit",
      queries: [instantQuery(`max(${RecordName.hostCpu(t.hostCpuRatio.window)}{${HOST}})`, "cpu")],
      thresholds: thresholds(t.hostCpuRatio),
      links: [runbookLink(ctx, "high-cpu", "high CPU")],
      width: 4,
    }),
    statPanel({
      title: "Fullest host memory",
      description: "1 - MemAvailable / MemTotal of the host with the least available memory.",
      unit: "percentunit",
      queries: [instantQuery(`max(${RecordName.hostMemory}{${HOST}})`, "memory")],
      thresholds: thresholds(t.hostMemoryRatio),
      links: [runbookLink(ctx, "memory", "memory")],
      width: 4,
    }),
    statPanel({
      title: "Least disk free",
      description: `Free share of the fullest real filesystem on any host (${AlertName.HostDiskSpaceLow}).`,
      unit: "percentunit",
      queries: [
        instantQuery(
          `min(node_filesystem_avail_bytes{${REAL_FS}}\n/\nnode_filesystem_size_bytes{${REAL_FS}})`,
          "free",
        ),
      ],
      thresholds: thresholds(t.hostDiskFreeRatio, "below"),
      links: [runbookLink(ctx, "disk-space", "disk space")],
      width: 4,
    }),
  ]);
}

function diskNetworkRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const t = ctx.config.thresholds;
  b.withRow(new dashboard.RowBuilder("Disk, network and file descriptors"))
    .withPanel(
      timeseriesPanel({
        title: "Disk free",
        description: `Free share of each real filesystem (node_filesystem_avail_bytes / size); ${AlertName.HostDiskSpaceLow} warns and goes critical below the lines.`,
        unit: "percentunit",
        queries: [
          query(
            `node_filesystem_avail_bytes{${REAL_FS}}\n/\nnode_filesystem_size_bytes{${REAL_FS}}`,
            `${BY_NODE} {{mountpoint}}`,
          ),
        ],
        thresholds: thresholds(t.hostDiskFreeRatio, "below"),
        links: [runbookLink(ctx, "disk-space", "disk space")],
        min: 0,
        max: 1,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Network throughput",
        description:
          "Bytes received and transmitted per second by each host on its real network devices (loopback, container and CNI virtual devices excluded).",
        unit: "Bps",
        queries: [
          query(
            `sum by (${NODE_LABEL}) (rate(node_network_receive_bytes_total{${REAL_NIC}}[$__rate_interval]))`,
            `${BY_NODE} received`,
            "A",
          ),
          query(
            `sum by (${NODE_LABEL}) (rate(node_network_transmit_bytes_total{${REAL_NIC}}[$__rate_interval]))`,
            `${BY_NODE} transmitted`,
            "B",
          ),
        ],
        links: [runbookLink(ctx, "websocket", "connection drops")],
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "File descriptors used",
        description: `Open file descriptors of the Port 8000 process over its limit (process_open_fds / process_max_fds); the line is the ${AlertName.Port8000FileDescriptorsHigh} threshold.`,
        unit: "percentunit",
        queries: [
          query(`process_open_fds{${APP}}\n/\nprocess_max_fds{${APP}}`, `${BY_NODE} {{instance}}`),
        ],
        thresholds: thresholds(t.fileDescriptorRatio),
        links: [runbookLink(ctx, "availability", "availability")],
        min: 0,
        max: 1,
      }),
    );
}

export function resourceUtilization(ctx: DashboardContext): dashboard.Dashboard {
  const b = dashboardFrame(
    ctx,
    DashboardUid.resources,
    "Port 8000 / Resource Utilization",
    "The hosts Port 8000 runs on: CPU, memory and swap, disk, network, and the controller's file descriptors (guide 1.4).",
    [prometheusVariable(), labelVariable(NODE_LABEL, Job.node)],
  );
  status(ctx, b);
  cpuMemoryRow(ctx, b);
  diskNetworkRow(ctx, b);
  return b.build();
}
