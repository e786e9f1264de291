// Cross-stack ordering: what a construct lists in `depends_on` in its own stack, and the stack
// dependencies that order it after resources of other stacks.
import { type ITerraformDependable, TerraformDataSource, TerraformModule, TerraformResource, TerraformStack } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { SynthError } from "./synth-error";

/** What a construct in one stack lists in `depends_on`, and what it waits for in other stacks. */
export interface Ordering {
  /** In the construct's own stack: these go into `depends_on`. */
  readonly sameStack: ITerraformDependable[];
  /** In other stacks, each of which the construct's stack now depends on. */
  readonly otherStacks: ITerraformDependable[];
}

/**
 * Orders a construct in `scope` after `resources`. A `depends_on` may only name
 * an object of its own configuration: Terraform refuses anything else ("Invalid
 * depends_on reference: References in depends_on must be to a whole object",
 * hashicorp/terraform internal/terraform/node_resource_validate.go, validateDependsOn), and cdktf
 * renders a resource of another stack as an attribute of a terraform_remote_state
 * (cdktf lib/tfExpression.ts, Reference.resolve -> App.crossStackReference), which
 * is not a whole object. So a resource of another stack orders through the stacks
 * instead: this stack `addDependency`s that one (cdktf-cli deploys and plans a
 * stack only after its dependencies; cdktf lib/terraform-stack.ts addDependency).
 * A resource whose stack already depends on this one would be a cycle, and is
 * refused here, naming both stacks, as `prop` of the construct.
 */
export function orderAfter(scope: IConstruct, resources: readonly ITerraformDependable[], prop: string): Ordering {
  const own = TerraformStack.of(scope);
  const sameStack: ITerraformDependable[] = [];
  const otherStacks: ITerraformDependable[] = [];
  const problems: string[] = [];
  for (const resource of resources) {
    const stack = Construct.isConstruct(resource) ? TerraformStack.of(resource) : own;
    if (stack === own) {
      sameStack.push(resource);
      continue;
    }
    if (stack.dependsOn(own)) {
      problems.push(
        `${prop}: ${addressOf(resource)} is in stack "${stack.node.id}", which already depends on this construct's stack "${own.node.id}"; ` +
          `waiting for it would be a cycle between "${own.node.id}" and "${stack.node.id}": move one of them`,
      );
      continue;
    }
    own.addDependency(stack);
    otherStacks.push(resource);
  }
  if (problems.length > 0) throw new SynthError(scope, problems);
  return { sameStack, otherStacks };
}

/** The Terraform address of a resource, data source or module (`helm_release.cert-manager`), else its fqn. */
export function addressOf(resource: ITerraformDependable): string {
  if (resource instanceof TerraformResource) return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
  if (resource instanceof TerraformDataSource) return `data.${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
  if (resource instanceof TerraformModule) return `module.${resource.friendlyUniqueId}`;
  return resource.fqn;
}

/**
 * Triggers for a null_resource in another stack than `resources`: `after
 * <address>` = the resource's `id`, which reaches this stack through a
 * cross-stack reference (a terraform_remote_state output), so the check re-runs
 * when the resource is replaced. Modules have no `id` and get no trigger (the
 * stack dependency still orders them).
 */
export function afterTriggers(resources: readonly ITerraformDependable[]): Record<string, string> {
  const triggers: Record<string, string> = {};
  for (const r of resources) {
    if (r instanceof TerraformResource || r instanceof TerraformDataSource) triggers[`after ${addressOf(r)}`] = r.getStringAttribute("id");
  }
  return triggers;
}
