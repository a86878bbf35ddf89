/**
 * The ansible-core release whose semantics tsplay follows, as the `ansible_version` variable shows it
 * (Ansible's CLI.version_info). Roles gate features on it (`ansible_version.full is version('2.12', '>=')`):
 * they get the release whose behaviour they will see, not tsplay's own version.
 */
export const ANSIBLE_VERSION = { string: '2.14.18', full: '2.14.18', major: 2, minor: 14, revision: 18 } as const;
