import { Suspense, lazy } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { Shell, RequireScope } from './layout/Shell';
import { AuthProvider, useAuth } from './lib/auth';
import { DashboardPage } from './pages/DashboardPage';
import { LoginPage } from './pages/LoginPage';
import { Button } from './ui/Button';
import { Loading } from './ui/States';
import { ToastProvider } from './ui/Toast';

const ApiKeysPage = lazy(() => import('./pages/ApiKeysPage').then((m) => ({ default: m.ApiKeysPage })));
const AuditPage = lazy(() => import('./pages/AuditPage').then((m) => ({ default: m.AuditPage })));
const ConnectedAppsPage = lazy(() =>
  import('./pages/ConnectedAppsPage').then((m) => ({ default: m.ConnectedAppsPage })),
);
const OAuthConsentPage = lazy(() =>
  import('./pages/OAuthConsentPage').then((m) => ({ default: m.OAuthConsentPage })),
);
const DocumentEditorPage = lazy(() =>
  import('./pages/documents/DocumentEditorPage').then((m) => ({ default: m.DocumentEditorPage })),
);
const DocumentsPage = lazy(() =>
  import('./pages/documents/DocumentsPage').then((m) => ({ default: m.DocumentsPage })),
);
const EventsPage = lazy(() => import('./pages/EventsPage').then((m) => ({ default: m.EventsPage })));
const ImportsPage = lazy(() => import('./pages/ImportsPage').then((m) => ({ default: m.ImportsPage })));
const TicketDetailPage = lazy(() =>
  import('./pages/tickets/TicketDetailPage').then((m) => ({ default: m.TicketDetailPage })),
);
const TicketsPage = lazy(() =>
  import('./pages/tickets/TicketsPage').then((m) => ({ default: m.TicketsPage })),
);
const UsersPage = lazy(() => import('./pages/UsersPage').then((m) => ({ default: m.UsersPage })));

function AuthGate() {
  const { state, retry } = useAuth();
  const location = useLocation();

  if (state.status === 'loading') return <Loading label="Starting Context Desk…" />;
  if (state.status === 'error') {
    return (
      <div className="state error" role="alert">
        <h3>Can’t reach Context Desk</h3>
        <p>{state.message}</p>
        <Button onClick={retry}>Try again</Button>
      </div>
    );
  }
  if (state.status === 'anonymous') {
    if (location.pathname !== '/login') {
      const from = location.pathname + location.search;
      return <Navigate to="/login" replace state={{ from }} />;
    }
    return <LoginPage notice={state.notice} />;
  }
  if (location.pathname === '/login') {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from && from !== '/login' ? from : '/'} replace />;
  }

  return (
    <Routes>
      <Route
        path="oauth/:uid"
        element={
          <Suspense fallback={<Loading />}>
            <OAuthConsentPage />
          </Suspense>
        }
      />
      <Route element={<Shell />}>
        <Route index element={<DashboardPage />} />
        <Route
          path="documents"
          element={
            <RequireScope scope="kb:read">
              <DocumentsPage />
            </RequireScope>
          }
        />
        <Route
          path="documents/new"
          element={
            <RequireScope scope="kb:write">
              <DocumentEditorPage />
            </RequireScope>
          }
        />
        <Route
          path="documents/:id"
          element={
            <RequireScope scope="kb:read">
              <DocumentEditorPage />
            </RequireScope>
          }
        />
        <Route
          path="tickets"
          element={
            <RequireScope scope="tickets:read">
              <TicketsPage />
            </RequireScope>
          }
        />
        <Route
          path="tickets/:number"
          element={
            <RequireScope scope="tickets:read">
              <TicketDetailPage />
            </RequireScope>
          }
        />
        <Route
          path="imports"
          element={
            <RequireScope scope="kb:write">
              <ImportsPage />
            </RequireScope>
          }
        />
        <Route path="events" element={<EventsPage />} />
        <Route path="connected-apps" element={<ConnectedAppsPage />} />
        <Route
          path="users"
          element={
            <RequireScope scope="users:read">
              <UsersPage />
            </RequireScope>
          }
        />
        <Route
          path="api-keys"
          element={
            <RequireScope scope="admin">
              <ApiKeysPage />
            </RequireScope>
          }
        />
        <Route
          path="audit"
          element={
            <RequireScope scope="admin">
              <AuditPage />
            </RequireScope>
          }
        />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

function NotFound() {
  return (
    <div className="state">
      <h3>Page not found</h3>
      <p>The page you were looking for doesn’t exist.</p>
    </div>
  );
}

export function App() {
  return (
    <BrowserRouter basename="/admin">
      <ToastProvider>
        <AuthProvider>
          <AuthGate />
        </AuthProvider>
      </ToastProvider>
    </BrowserRouter>
  );
}
