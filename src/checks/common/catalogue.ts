/**
 * The hardening catalogue beyond PSS, in catalogue order (grouped by domain).
 * Grants in Roles and ClusterRoles (Secrets, wildcards, pod creation, bind /
 * escalate / impersonate, nodes/proxy, webhook configurations) and bindings
 * to cluster-admin are judged once, by the CIS 5.1 controls of the RBAC
 * engine (`src/checks/rbac/`), not here.
 * `hardeningChecks(options)` builds the configurable members (the registry
 * allow-list) from the config file.
 */
import type { Check } from '../types.js';
import { appArmorMissing } from '../container/appArmorMissing.js';
import { appArmorUnconfined } from '../container/appArmorUnconfined.js';
import { capabilitiesNotDroppedAll } from '../container/capabilitiesNotDroppedAll.js';
import { capabilityNetRaw } from '../container/capabilityNetRaw.js';
import { capabilitySysAdmin } from '../container/capabilitySysAdmin.js';
import { dangerousCapabilities } from '../container/dangerousCapabilities.js';
import { lowGroupId } from '../container/lowGroupId.js';
import { noLinuxHardening } from '../container/noLinuxHardening.js';
import { lowUserId } from '../container/lowUserId.js';
import { privilegeEscalationAllowed } from '../container/privilegeEscalationAllowed.js';
import { privilegeEscalationNotDisabled } from '../container/privilegeEscalationNotDisabled.js';
import { privileged } from '../container/privileged.js';
import { privilegedPorts } from '../container/privilegedPorts.js';
import { procMount } from '../container/procMount.js';
import { readOnlyRootFilesystem } from '../container/readOnlyRootFilesystem.js';
import { runAsNonRoot } from '../container/runAsNonRoot.js';
import { runAsRootGroup } from '../container/runAsRootGroup.js';
import { runAsRootUser } from '../container/runAsRootUser.js';
import { seLinuxOptions } from '../container/seLinuxOptions.js';
import { seccompMissing } from '../container/seccompMissing.js';
import { seccompUnconfined } from '../container/seccompUnconfined.js';
import { shareProcessNamespace } from '../container/shareProcessNamespace.js';
import { sshPort } from '../container/sshPort.js';
import { sudoInEntrypoint } from '../container/sudoInEntrypoint.js';
import { unsafeSysctls } from '../container/unsafeSysctls.js';
import { userNamespace } from '../container/userNamespace.js';
import { windowsHostProcess } from '../container/windowsHostProcess.js';
import { hostAliases } from '../host/hostAliases.js';
import { hostIpc } from '../host/hostIpc.js';
import { hostNetwork } from '../host/hostNetwork.js';
import { hostPathVolume } from '../host/hostPathVolume.js';
import { hostPid } from '../host/hostPid.js';
import { hostPort } from '../host/hostPort.js';
import { runtimeSocket } from '../host/runtimeSocket.js';
import { sensitiveHostPath } from '../host/sensitiveHostPath.js';
import { writableHostPath } from '../host/writableHostPath.js';
import { deprecatedRegistry } from '../images/deprecatedRegistry.js';
import { imageDigest } from '../images/imageDigest.js';
import { imagePullPolicy } from '../images/imagePullPolicy.js';
import { createImageRegistryCheck, imageRegistry } from '../images/imageRegistry.js';
import { imageTag } from '../images/imageTag.js';
import { defaultAccountAutomount } from '../identity/defaultAccountAutomount.js';
import { defaultServiceAccount } from '../identity/defaultServiceAccount.js';
import { deprecatedServiceAccountField } from '../identity/deprecatedServiceAccountField.js';
import { longLivedToken } from '../identity/longLivedToken.js';
import { missingServiceAccount } from '../identity/missingServiceAccount.js';
import { tokenAutomount } from '../identity/tokenAutomount.js';
import { configMapSecret } from '../secrets/configMapSecret.js';
import { duplicateEnv } from '../secrets/duplicateEnv.js';
import { envHighEntropy } from '../secrets/envHighEntropy.js';
import { envSecretLiteral } from '../secrets/envSecretLiteral.js';
import { secretAsEnv } from '../secrets/secretAsEnv.js';
import { secretInManifest } from '../secrets/secretInManifest.js';
import { cpuLimit } from '../resources/cpuLimit.js';
import { cpuRequest } from '../resources/cpuRequest.js';
import { ephemeralStorage } from '../resources/ephemeralStorage.js';
import { livenessProbe } from '../resources/livenessProbe.js';
import { memoryLimit } from '../resources/memoryLimit.js';
import { memoryRequest } from '../resources/memoryRequest.js';
import { namespaceLimitRange } from '../resources/namespaceLimitRange.js';
import { namespaceQuota } from '../resources/namespaceQuota.js';
import { readinessProbe } from '../resources/readinessProbe.js';
import { allowAllPolicy } from '../network/allowAllPolicy.js';
import { ingressBackend } from '../network/ingressBackend.js';
import { ingressTls } from '../network/ingressTls.js';
import { namespaceDefaultDenyEgress } from '../network/namespaceDefaultDenyEgress.js';
import { namespaceDefaultDenyIngress } from '../network/namespaceDefaultDenyIngress.js';
import { podNotIsolated } from '../network/podNotIsolated.js';
import { podNotSelected } from '../network/podNotSelected.js';
import { policyWithoutPods } from '../network/policyWithoutPods.js';
import { serviceLoadBalancer } from '../network/serviceLoadBalancer.js';
import { serviceNodePort } from '../network/serviceNodePort.js';
import { serviceWithoutPods } from '../network/serviceWithoutPods.js';
import { defaultNamespace } from '../workload/defaultNamespace.js';
import { nakedPod } from '../workload/nakedPod.js';
import { anonymousBinding } from '../cluster/anonymousBinding.js';
import { authenticatedBinding } from '../cluster/authenticatedBinding.js';
import { execPods } from '../cluster/execPods.js';
import { webhookFailOpen } from '../cluster/webhookFailOpen.js';
import { webhookKubeSystem } from '../cluster/webhookKubeSystem.js';
import { webhookOwnNamespace } from '../cluster/webhookOwnNamespace.js';
import { webhookTimeout } from '../cluster/webhookTimeout.js';
import { externalIps } from '../vulnerable/externalIps.js';
import { gitRepoVolume } from '../vulnerable/gitRepoVolume.js';
import { nginxInjectionAnnotations } from '../vulnerable/nginxInjectionAnnotations.js';
import { nginxSnippet } from '../vulnerable/nginxSnippet.js';
import { subPathHostPath } from '../vulnerable/subPathHostPath.js';

export const HARDENING_CHECKS: readonly Check[] = [
  appArmorMissing,
  appArmorUnconfined,
  capabilitiesNotDroppedAll,
  capabilityNetRaw,
  capabilitySysAdmin,
  dangerousCapabilities,
  lowGroupId,
  noLinuxHardening,
  lowUserId,
  privilegeEscalationAllowed,
  privilegeEscalationNotDisabled,
  privileged,
  privilegedPorts,
  procMount,
  readOnlyRootFilesystem,
  runAsNonRoot,
  runAsRootGroup,
  runAsRootUser,
  seLinuxOptions,
  seccompMissing,
  seccompUnconfined,
  shareProcessNamespace,
  sshPort,
  sudoInEntrypoint,
  unsafeSysctls,
  userNamespace,
  windowsHostProcess,
  hostAliases,
  hostIpc,
  hostNetwork,
  hostPathVolume,
  hostPid,
  hostPort,
  runtimeSocket,
  sensitiveHostPath,
  writableHostPath,
  deprecatedRegistry,
  imageDigest,
  imagePullPolicy,
  imageRegistry,
  imageTag,
  defaultAccountAutomount,
  defaultServiceAccount,
  deprecatedServiceAccountField,
  longLivedToken,
  missingServiceAccount,
  tokenAutomount,
  configMapSecret,
  duplicateEnv,
  envHighEntropy,
  envSecretLiteral,
  secretAsEnv,
  secretInManifest,
  cpuLimit,
  cpuRequest,
  ephemeralStorage,
  livenessProbe,
  memoryLimit,
  memoryRequest,
  namespaceLimitRange,
  namespaceQuota,
  readinessProbe,
  allowAllPolicy,
  ingressBackend,
  ingressTls,
  namespaceDefaultDenyEgress,
  namespaceDefaultDenyIngress,
  podNotSelected,
  podNotIsolated,
  policyWithoutPods,
  serviceLoadBalancer,
  serviceNodePort,
  serviceWithoutPods,
  defaultNamespace,
  nakedPod,
  anonymousBinding,
  authenticatedBinding,
  execPods,
  webhookFailOpen,
  webhookKubeSystem,
  webhookOwnNamespace,
  webhookTimeout,
  externalIps,
  gitRepoVolume,
  nginxInjectionAnnotations,
  nginxSnippet,
  subPathHostPath,];

export interface HardeningOptions {
  /** `images.allowedRegistries` from the config file. */
  readonly allowedRegistries?: readonly string[];
}

export function hardeningChecks(options: HardeningOptions = {}): readonly Check[] {
  if (options.allowedRegistries === undefined || options.allowedRegistries.length === 0) return HARDENING_CHECKS;
  const configured = createImageRegistryCheck(options.allowedRegistries);
  return HARDENING_CHECKS.map((check) => (check.meta.id === configured.meta.id ? configured : check));
}
