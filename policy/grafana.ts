import { PolicyName } from "../lib/conventions";
import { asArray, at, resourcePolicy } from "./subject";

/**
 * Folder access goes to teams (components/grafana): a grant to a basic role reaches every
 * user of the Grafana organisation, including everyone who only ever needed another folder.
 */

export const BASIC_ROLES = ["Viewer", "Editor"];

const FOLDER_PERMISSION = "grafana:oss/folderPermission:FolderPermission";
const FOLDER_PERMISSION_ITEM = "grafana:oss/folderPermissionItem:FolderPermissionItem";

export const noGrafanaFolderGrantToBasicRole = resourcePolicy(
  {
    name: PolicyName.noGrafanaFolderGrantToBasicRole,
    description:
      "Grafana folders are granted to teams or users, never to the Viewer or Editor role.",
  },
  (subject, report) => {
    const grants =
      subject.type === FOLDER_PERMISSION
        ? asArray(subject.props.permissions)
        : subject.type === FOLDER_PERMISSION_ITEM
          ? [subject.props]
          : [];
    for (const grant of grants) {
      const role = at(grant, "role");
      if (typeof role === "string" && BASIC_ROLES.includes(role))
        report(
          `${subject.name} grants ${String(at(grant, "permission"))} to the basic role ${role}`,
        );
    }
  },
);
