/**
 * A realistic demo set for `context-desk seed --demo`: a help center for a fictional SaaS
 * product ("Northwind Cloud"), people in every role, and tickets in every state.
 */
export interface DemoArticle {
  slug: string;
  title: string;
  collection: string;
  tags: string[];
  status?: 'draft' | 'published' | 'archived';
  sections: [heading: string, text: string][];
}

const a = (
  slug: string,
  title: string,
  collection: string,
  tags: string[],
  sections: [string, string][],
  status: DemoArticle['status'] = 'published',
): DemoArticle => ({ slug, title, collection, tags, sections, status });

export const DEMO_ARTICLES: DemoArticle[] = [
  a(
    'reset-your-password',
    'Reset your password',
    'account',
    ['login', 'password', 'security'],
    [
      [
        'Overview',
        'If you forgot your password, you can reset it from the sign-in page. Reset links expire after 30 minutes and can be used once.',
      ],
      [
        'Steps',
        '1. Open the sign-in page and choose **Forgot password**.\n2. Enter the email address of your account.\n3. Open the email from Northwind Cloud and follow the link.\n4. Choose a new password of at least 12 characters.',
      ],
      [
        'The email does not arrive',
        'Check your spam folder and make sure the address is the one your administrator invited. Company mail filters sometimes hold messages from no-reply@northwind.cloud; ask IT to allow that sender.',
      ],
    ],
  ),
  a(
    'enable-two-factor-authentication',
    'Enable two-factor authentication',
    'account',
    ['security', '2fa', 'login'],
    [
      [
        'Why',
        'Two-factor authentication (2FA) protects your account even if your password leaks. Administrators can require it for the whole workspace.',
      ],
      [
        'Set up an authenticator app',
        'Open **Profile → Security**, choose **Enable 2FA**, scan the QR code with an authenticator app such as 1Password or Google Authenticator, and enter the six-digit code.',
      ],
      [
        'Recovery codes',
        'Store the ten recovery codes somewhere safe. Each code works once. If you lose your phone and your codes, an administrator must reset 2FA for you.',
      ],
    ],
  ),
  a(
    'locked-out-after-failed-logins',
    'Locked out after too many failed sign-ins',
    'account',
    ['login', 'security', 'lockout'],
    [
      [
        'What happened',
        'After ten failed sign-in attempts in fifteen minutes, the account is locked for thirty minutes to stop password guessing.',
      ],
      [
        'What to do',
        'Wait thirty minutes, or ask an administrator to unlock the account from **Admin → People**. If you did not make the attempts, reset your password and enable 2FA.',
      ],
    ],
  ),
  a(
    'change-account-email',
    'Change the email address of your account',
    'account',
    ['profile', 'email'],
    [
      [
        'Steps',
        'Open **Profile → Account**, enter the new address and confirm it from the verification email. Until you confirm, sign-in keeps using the old address.',
      ],
      [
        'Single sign-on',
        'If your workspace uses SSO, the email comes from your identity provider and cannot be changed here. Ask your IT team.',
      ],
    ],
  ),
  a(
    'invite-team-members',
    'Invite team members',
    'workspace',
    ['users', 'invitations', 'admin'],
    [
      ['Who can invite', 'Administrators and members with the *Manage people* permission can invite others.'],
      [
        'Steps',
        'Go to **Admin → People → Invite**, enter one address per line, choose a role and send. Invitations are valid for seven days and can be resent.',
      ],
      ['Seats', 'Each accepted invitation uses a seat on your plan. Pending invitations do not.'],
    ],
  ),
  a(
    'roles-and-permissions',
    'Roles and permissions',
    'workspace',
    ['users', 'roles', 'permissions', 'admin'],
    [
      [
        'Roles',
        '**Owner** manages billing and can delete the workspace. **Admin** manages people, integrations and settings. **Member** works with projects. **Guest** sees only the projects shared with them.',
      ],
      [
        'Changing a role',
        'Admins change roles from **Admin → People**. A workspace always keeps at least one owner.',
      ],
    ],
  ),
  a(
    'sso-with-saml',
    'Set up single sign-on with SAML',
    'workspace',
    ['sso', 'saml', 'security', 'enterprise'],
    [
      [
        'Requirements',
        'SAML single sign-on is available on the Enterprise plan. You need administrator access to your identity provider (Okta, Azure AD, Google Workspace).',
      ],
      [
        'Configure',
        'In **Admin → Security → SSO**, copy the ACS URL and entity ID into a new SAML application in your provider, then paste the provider metadata URL back. Test with one account before enforcing SSO for everyone.',
      ],
      [
        'Troubleshooting',
        'A *signature invalid* error almost always means the certificate in Northwind Cloud is out of date: re-import the metadata after your provider rotates its certificate.',
      ],
    ],
  ),
  a(
    'update-payment-method',
    'Update your payment method',
    'billing',
    ['billing', 'payment', 'credit-card'],
    [
      [
        'Steps',
        'Owners open **Billing → Payment method**, choose **Replace card** and enter the new card. The next invoice is charged to it.',
      ],
      [
        'Failed payments',
        'If a charge fails we retry after 3, 5 and 7 days and email the owners each time. The workspace stays active during the retries.',
      ],
    ],
  ),
  a(
    'download-invoices',
    'Download invoices and receipts',
    'billing',
    ['billing', 'invoices', 'vat'],
    [
      [
        'Where',
        'All invoices are under **Billing → History** as PDF. Each shows your billing address and VAT number.',
      ],
      [
        'Add a VAT number',
        'Enter it in **Billing → Details** before the next invoice; past invoices cannot be reissued with a VAT number added later.',
      ],
    ],
  ),
  a(
    'change-plan',
    'Upgrade or downgrade your plan',
    'billing',
    ['billing', 'plans', 'upgrade'],
    [
      [
        'Upgrading',
        'Upgrades take effect at once; you pay the prorated difference for the rest of the billing period.',
      ],
      [
        'Downgrading',
        'Downgrades take effect at the end of the period. Features of the higher plan stop working then; data is kept.',
      ],
    ],
  ),
  a(
    'refund-policy',
    'Refund policy',
    'billing',
    ['billing', 'refunds', 'cancellation'],
    [
      [
        'Policy',
        'Annual plans can be refunded in full within 14 days of purchase. Monthly plans are not refunded, but you can cancel at any time and keep access until the end of the period.',
      ],
      ['How to ask', 'Open a ticket from **Help → Contact support** with the invoice number.'],
    ],
  ),
  a(
    'create-a-project',
    'Create your first project',
    'getting-started',
    ['projects', 'onboarding'],
    [
      [
        'Steps',
        'Choose **New project**, give it a name and pick a template. Templates create boards and sample tasks you can delete later.',
      ],
      [
        'Next',
        'Invite the people who will work on it and connect your repository or calendar from **Integrations**.',
      ],
    ],
  ),
  a(
    'import-from-csv',
    'Import tasks from a CSV file',
    'getting-started',
    ['import', 'csv', 'projects'],
    [
      [
        'Format',
        'The first row must hold column names. Recognised columns: title, description, assignee (email), due date (YYYY-MM-DD), labels (comma-separated).',
      ],
      [
        'Limits',
        'Up to 10,000 rows and 20 MB per file. Rows with errors are skipped and listed in a report you can download.',
      ],
      [
        'Encoding',
        'Save the file as UTF-8. Files exported from Excel in another encoding show garbled accents; re-export with *CSV UTF-8*.',
      ],
    ],
  ),
  a(
    'keyboard-shortcuts',
    'Keyboard shortcuts',
    'getting-started',
    ['shortcuts', 'productivity'],
    [
      ['Everywhere', '`/` search, `c` create a task, `g p` go to projects, `?` show all shortcuts.'],
      ['In a task', '`e` edit, `a` assign, `l` labels, `Esc` close.'],
    ],
  ),
  a(
    'slack-integration',
    'Connect Slack',
    'integrations',
    ['slack', 'notifications', 'integrations'],
    [
      [
        'Install',
        'Admins open **Integrations → Slack → Connect** and approve the app in Slack. Choose the channels that receive project updates.',
      ],
      [
        'Notifications are missing',
        'Make sure the Northwind app was added to the private channel (`/invite @Northwind`). Slack does not let apps post to private channels they are not in.',
      ],
    ],
  ),
  a(
    'github-integration',
    'Link GitHub pull requests to tasks',
    'integrations',
    ['github', 'integrations', 'developers'],
    [
      [
        'Install',
        'Install the Northwind GitHub App on the repositories you want. Mention a task key such as `NW-142` in a branch name or pull request title to link it.',
      ],
      [
        'Status sync',
        'Merging a linked pull request moves the task to *Done* if the project has the automation enabled.',
      ],
    ],
  ),
  a(
    'webhooks',
    'Receive events with webhooks',
    'integrations',
    ['webhooks', 'api', 'developers'],
    [
      [
        'Register',
        'Create a webhook in **Admin → Developers → Webhooks** with an HTTPS URL and the events you want.',
      ],
      [
        'Verify signatures',
        'Each request has an `X-Northwind-Signature` header: the HMAC-SHA256 of the raw body with your webhook secret. Compare it in constant time before trusting the payload.',
      ],
      [
        'Retries',
        'Non-2xx answers and timeouts (10 s) are retried with exponential backoff for up to 24 hours.',
      ],
    ],
  ),
  a(
    'api-rate-limits',
    'API rate limits',
    'developers',
    ['api', 'rate-limits', 'developers'],
    [
      [
        'Limits',
        'Each API token may make 600 requests per minute. Bursts above the limit get HTTP 429 with a `Retry-After` header.',
      ],
      [
        'Good practice',
        'Back off exponentially on 429 and 503, and use webhooks instead of polling for changes.',
      ],
    ],
  ),
  a(
    'api-tokens',
    'Create and rotate API tokens',
    'developers',
    ['api', 'tokens', 'security'],
    [
      [
        'Create',
        'Open **Profile → API tokens**, name the token and choose its scopes. The token is shown once; store it in a secret manager.',
      ],
      [
        'Rotate',
        'Create the new token, deploy it, then revoke the old one. Revoked tokens stop working within a minute.',
      ],
    ],
  ),
  a(
    'data-export',
    'Export all workspace data',
    'workspace',
    ['export', 'gdpr', 'data'],
    [
      [
        'Request an export',
        'Owners choose **Admin → Data → Export**. We prepare a ZIP with JSON files and attachments and email a download link valid for 7 days.',
      ],
      ['Size', 'Large workspaces can take several hours. You can keep working while the export runs.'],
    ],
  ),
  a(
    'delete-workspace',
    'Delete a workspace',
    'workspace',
    ['gdpr', 'data', 'deletion'],
    [
      [
        'Before you delete',
        'Export your data first. Deletion cancels the subscription and cannot be undone after the 30-day grace period.',
      ],
      [
        'Steps',
        'Owners open **Admin → Danger zone → Delete workspace** and type the workspace name to confirm.',
      ],
    ],
  ),
  a(
    'mobile-app-sync',
    'Mobile app does not sync',
    'troubleshooting',
    ['mobile', 'sync', 'ios', 'android'],
    [
      [
        'Quick fixes',
        'Pull down to refresh, check that background data is allowed for the app, and update to the latest version.',
      ],
      [
        'Still stuck',
        'Sign out and in again. If tasks created offline are missing, do not reinstall the app before contacting support: unsynced changes live only on the device.',
      ],
    ],
  ),
  a(
    'slow-loading-boards',
    'Boards load slowly',
    'troubleshooting',
    ['performance', 'boards', 'browser'],
    [
      [
        'Common causes',
        'Boards with more than 2,000 open cards, browser extensions that inspect every page, and outdated browsers.',
      ],
      [
        'What helps',
        'Archive finished cards, filter the board, and try a private window to rule out extensions. Chrome, Firefox, Edge and Safari from the last two years are supported.',
      ],
    ],
  ),
  a(
    'email-notifications-not-arriving',
    'Email notifications are not arriving',
    'troubleshooting',
    ['email', 'notifications'],
    [
      [
        'Check your settings',
        'Open **Profile → Notifications** and make sure email is enabled for the events you care about.',
      ],
      [
        'Check your mail system',
        'Ask IT to allow notifications@northwind.cloud. We publish SPF and DKIM records; a strict DMARC policy on your side can still quarantine forwarded mail.',
      ],
    ],
  ),
  a(
    'legacy-desktop-app',
    'Legacy desktop app (retired)',
    'troubleshooting',
    ['desktop', 'legacy'],
    [
      [
        'Status',
        'The old desktop app was retired in 2024 and no longer receives updates. Use the web app or the new desktop app from the download page.',
      ],
    ],
    'archived',
  ),
  a(
    'ai-assistant-beta',
    'AI assistant (beta)',
    'getting-started',
    ['ai', 'beta'],
    [
      [
        'What it does',
        'The assistant summarises long task threads and drafts status updates. It is in beta for Business and Enterprise plans.',
      ],
    ],
    'draft',
  ),
];

export const DEMO_USERS: { email: string; name: string; role: 'admin' | 'agent' | 'viewer' }[] = [
  { email: 'maria.lopez@example.com', name: 'María López', role: 'admin' },
  { email: 'sam.okafor@example.com', name: 'Sam Okafor', role: 'agent' },
  { email: 'li.wei@example.com', name: 'Li Wei', role: 'agent' },
  { email: 'jonas.berg@example.com', name: 'Jonas Berg', role: 'agent' },
  { email: 'priya.nair@example.com', name: 'Priya Nair', role: 'viewer' },
];

export interface DemoTicket {
  title: string;
  description: string;
  requesterEmail: string;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  tags: string[];
  assignee?: string;
  status: 'open' | 'pending' | 'resolved' | 'closed';
  replies: { from: 'agent' | 'requester'; body: string; internal?: boolean }[];
}

export const DEMO_TICKETS: DemoTicket[] = [
  {
    title: 'Cannot reset my password, the link says expired',
    description:
      'I requested a reset link twice and both times the page says the link has expired. I clicked it within a few minutes.',
    requesterEmail: 'alex.chen@customer.example',
    priority: 'high',
    tags: ['login', 'password'],
    status: 'open',
    replies: [],
  },
  {
    title: 'Charged twice for the annual plan',
    description:
      'Our card statement shows two charges of $1,188 on the same day. Invoice NW-2291. Please refund one of them.',
    requesterEmail: 'finance@acme-corp.example',
    priority: 'urgent',
    tags: ['billing', 'refunds'],
    assignee: 'li.wei@example.com',
    status: 'pending',
    replies: [
      {
        from: 'agent',
        body: 'Thanks for reporting this. I can see both charges and have asked our billing team to refund the duplicate. Could you confirm the last four digits of the card?',
      },
      {
        from: 'agent',
        body: 'Duplicate comes from a retry after a gateway timeout; refund approved by finance.',
        internal: true,
      },
    ],
  },
  {
    title: 'SAML login fails with "signature invalid"',
    description:
      'Since this morning nobody in our company can sign in through Okta. The error says the SAML signature is invalid.',
    requesterEmail: 'it-admin@globex.example',
    priority: 'urgent',
    tags: ['sso', 'saml'],
    assignee: 'sam.okafor@example.com',
    status: 'resolved',
    replies: [
      {
        from: 'agent',
        body: 'Okta rotated its signing certificate. Please re-import the metadata URL in Admin → Security → SSO; that updates the certificate on our side.',
      },
      { from: 'requester', body: 'That fixed it, thank you!' },
    ],
  },
  {
    title: 'Slack notifications stopped for the #releases channel',
    description:
      'We used to get project updates in #releases, which is a private channel. Nothing has arrived since Monday.',
    requesterEmail: 'devops@initech.example',
    priority: 'normal',
    tags: ['slack', 'integrations'],
    assignee: 'jonas.berg@example.com',
    status: 'closed',
    replies: [
      {
        from: 'agent',
        body: 'The Northwind app was removed from #releases. Run /invite @Northwind in the channel and updates will resume.',
      },
    ],
  },
  {
    title: 'How do I export all our data?',
    description: 'We are doing a yearly audit and need a full export of projects and attachments.',
    requesterEmail: 'compliance@umbrella.example',
    priority: 'low',
    tags: ['export', 'data'],
    status: 'open',
    replies: [],
  },
  {
    title: 'Mobile app lost tasks created offline',
    description:
      'I created five tasks on the plane; after landing they are gone from the iOS app and do not show on the web.',
    requesterEmail: 'alex.chen@customer.example',
    priority: 'high',
    tags: ['mobile', 'sync'],
    assignee: 'sam.okafor@example.com',
    status: 'pending',
    replies: [
      {
        from: 'agent',
        body: 'Please do not reinstall the app: offline changes are stored on the device. Could you send the app version from Settings → About?',
      },
    ],
  },
  {
    title: 'Boards take 20 seconds to load',
    description: 'Our main board has gotten very slow over the last month. Other pages are fine.',
    requesterEmail: 'pm@hooli.example',
    priority: 'normal',
    tags: ['performance', 'boards'],
    status: 'open',
    replies: [],
  },
  {
    title: 'VAT number missing on invoices',
    description:
      'Our invoices do not show our VAT number, which our accountant needs. Can you reissue the last three?',
    requesterEmail: 'finance@acme-corp.example',
    priority: 'normal',
    tags: ['billing', 'vat'],
    assignee: 'li.wei@example.com',
    status: 'resolved',
    replies: [
      {
        from: 'agent',
        body: 'Past invoices cannot be reissued, but if you add the VAT number under Billing → Details every future invoice will include it.',
      },
    ],
  },
];
