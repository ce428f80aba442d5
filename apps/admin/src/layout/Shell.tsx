import { Suspense, useEffect, useRef, useState, type ReactNode } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router-dom';
import { useAuth } from '../lib/auth';
import type { Scope } from '../lib/types';
import { Button } from '../ui/Button';
import { PageErrorBoundary } from '../ui/PageErrorBoundary';
import { Loading } from '../ui/States';
import { icons } from './icons';

export interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  scope?: Scope;
  section: 'Workspace' | 'Admin';
}

export const NAV_ITEMS: NavItem[] = [
  { to: '/', label: 'Dashboard', icon: icons.dashboard, section: 'Workspace' },
  { to: '/documents', label: 'Documents', icon: icons.documents, scope: 'kb:read', section: 'Workspace' },
  { to: '/reviews', label: 'Reviews', icon: icons.documents, scope: 'kb:read', section: 'Workspace' },
  { to: '/tickets', label: 'Tickets', icon: icons.tickets, scope: 'tickets:read', section: 'Workspace' },
  {
    to: '/macros',
    label: 'Saved replies',
    icon: icons.documents,
    scope: 'tickets:write',
    section: 'Workspace',
  },
  { to: '/imports', label: 'Imports', icon: icons.imports, scope: 'kb:write', section: 'Workspace' },
  { to: '/events', label: 'Events', icon: icons.events, section: 'Workspace' },
  { to: '/connected-apps', label: 'Connected apps', icon: icons.keys, section: 'Workspace' },
  { to: '/users', label: 'Users', icon: icons.users, scope: 'users:write', section: 'Admin' },
  { to: '/api-keys', label: 'API keys', icon: icons.keys, scope: 'admin', section: 'Admin' },
  { to: '/audit', label: 'Audit', icon: icons.audit, scope: 'admin', section: 'Admin' },
];

function Brand() {
  return (
    <div className="brand">
      <span className="brand-mark" aria-hidden="true">
        CD
      </span>
      Context Desk
    </div>
  );
}

export function Shell() {
  const { me, can, signOut } = useAuth();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();

  const menuButton = useRef<HTMLButtonElement>(null);
  const sidebar = useRef<HTMLElement>(null);

  useEffect(() => setMenuOpen(false), [location.pathname]);

  // The phone menu closes on Escape (focus back on its button) and on a tap outside it.
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setMenuOpen(false);
      menuButton.current?.focus();
    };
    const onPointer = (e: PointerEvent) => {
      const target = e.target as Node;
      if (sidebar.current?.contains(target) || menuButton.current?.contains(target)) return;
      setMenuOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [menuOpen]);

  const visible = NAV_ITEMS.filter((item) => !item.scope || can(item.scope));
  const sections = (['Workspace', 'Admin'] as const).filter((s) => visible.some((i) => i.section === s));

  return (
    <div className={`shell${menuOpen ? ' menu-open' : ''}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Button
          ref={menuButton}
          size="sm"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          onClick={() => setMenuOpen((o) => !o)}
          aria-label={menuOpen ? 'Close menu' : 'Open menu'}
        >
          {icons.menu}
          Menu
        </Button>
        <Brand />
      </header>
      <aside className="sidebar" id="sidebar" ref={sidebar}>
        <Brand />
        <nav className="nav" aria-label="Main">
          {sections.map((section) => (
            <div key={section} className="nav">
              <div className="nav-section" aria-hidden="true">
                {section}
              </div>
              {visible
                .filter((i) => i.section === section)
                .map((item) => (
                  <NavLink key={item.to} to={item.to} end={item.to === '/'}>
                    {item.icon}
                    {item.label}
                  </NavLink>
                ))}
            </div>
          ))}
        </nav>
        <div className="sidebar-footer">
          {me && (
            <div className="who">
              <div className="name">{me.name || me.email}</div>
              <div className="meta">
                {me.email} · {me.role}
              </div>
            </div>
          )}
          <Button variant="ghost" onClick={() => signOut()}>
            {icons.signOut}
            Sign out
          </Button>
        </div>
      </aside>
      <main className="main" id="main" tabIndex={-1}>
        <PageErrorBoundary resetKey={location.key}>
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </PageErrorBoundary>
      </main>
    </div>
  );
}

export function RequireScope({ scope, children }: { scope?: Scope; children: ReactNode }) {
  const { can } = useAuth();
  if (scope && !can(scope)) {
    return (
      <div className="state">
        <h1 className="state-title">You don’t have access to this page</h1>
        <p>Your role does not include the “{scope}” permission. Ask an administrator if you need it.</p>
      </div>
    );
  }
  return <>{children}</>;
}
