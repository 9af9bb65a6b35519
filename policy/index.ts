import { PolicyPack } from "@pulumi/policy";
import { POLICIES, POLICY_PACK_NAME } from "./policies";

// The pack's only entry point: `new PolicyPack` starts the policy server, so nothing imports
// this file (tests use ./policies). Run with `pulumi preview --policy-pack policy`.
new PolicyPack(POLICY_PACK_NAME, { policies: POLICIES });
