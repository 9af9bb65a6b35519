import { noGrafanaFolderGrantToBasicRole } from "../../policy/grafana";
import { messages, resource } from "./support";

const folderPermission = (permissions: object[]) =>
  resource("grafana:oss/folderPermission:FolderPermission", "perm", {
    folderUid: "port-8000",
    permissions,
  });

describe("policy no-grafana-folder-grant-to-basic-role", () => {
  it.each(["Viewer", "Editor"])("refuses a grant to the %s role", async (role) => {
    const grants = [
      { teamId: "1", permission: "Edit" },
      { role, permission: "View" },
    ];
    expect(await messages(noGrafanaFolderGrantToBasicRole, [folderPermission(grants)])).toEqual([
      `perm grants View to the basic role ${role}`,
    ]);
  });

  it("refuses a single permission item for a basic role", async () => {
    const item = resource("grafana:oss/folderPermissionItem:FolderPermissionItem", "item", {
      folderUid: "port-8000",
      role: "Editor",
      permission: "Edit",
    });
    expect(await messages(noGrafanaFolderGrantToBasicRole, [item])).toHaveLength(1);
  });

  it("passes grants to teams and users", async () => {
    const grants = [
      { teamId: "1", permission: "Edit" },
      { userId: "2", permission: "View" },
    ];
    expect(await messages(noGrafanaFolderGrantToBasicRole, [folderPermission(grants)])).toEqual([]);
  });
});
