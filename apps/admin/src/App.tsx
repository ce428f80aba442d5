import { Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { Shell, RequireScope } from './layout/Shell';
import { AuthProvider, useAuth } from './lib/auth';
import { lazyPage } from './lib/lazyPage';
import { DashboardPage } from './pages/DashboardPage';
import { LoginPage } from './pages/LoginPage';
import { Button } from './ui/Button';
import { useDocumentTitle } from './ui/PageHeader';
import { Loading } from './ui/States';
import { ToastProvider } from './ui/Toast';

const ApiKeysPage = lazyPage(
  () => import('./pages/ApiKeysPage'),
  (m) => m.ApiKeysPage,
);
const ConnectedAppsPage = lazyPage(
  () => import('./pages/ConnectedAppsPage'),
  (m) => m.ConnectedAppsPage,
);
const OAuthConsentPage = lazyPage(
  () => import('./pages/OAuthConsentPage'),
  (m) => m.OAuthConsentPage,
);
const AuditPage = lazyPage(
  () => import('./pages/AuditPage'),
  (m) => m.AuditPage,
);
const DocumentEditorPage = lazyPage(
  () => import('./pages/documents/DocumentEditorPage'),
  (m) => m.DocumentEditorPage,
);
const DocumentsPage = lazyPage(
  () => import('./pages/documents/DocumentsPage'),
  (m) => m.DocumentsPage,
);
const DraftReviewPage = lazyPage(
  () => import('./pages/documents/DraftReviewPage'),
  (m) => m.DraftReviewPage,
);
const EventsPage = lazyPage(
  () => import('./pages/EventsPage'),
  (m) => m.EventsPage,
);
const ImportsPage = lazyPage(
  () => import('./pages/ImportsPage'),
  (m) => m.ImportsPage,
);
const MacrosPage = lazyPage(
  () => import('./pages/macros/MacrosPage'),
  (m) => m.MacrosPage,
);
const TicketDetailPage = lazyPage(
  () => import('./pages/tickets/TicketDetailPage'),
  (m) => m.TicketDetailPage,
);
const TicketsPage = lazyPage(
  () => import('./pages/tickets/TicketsPage'),
  (m) => m.TicketsPage,
);
const UsersPage = lazyPage(
  () => import('./pages/UsersPage'),
  (m) => m.UsersPage,
);

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
          path="reviews"
          element={
            <RequireScope scope="kb:read">
              <DraftReviewPage />
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
          path="macros"
          element={
            <RequireScope scope="tickets:write">
              <MacrosPage />
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
  useDocumentTitle('Page not found');
  return (
    <div className="state">
      <h1 className="state-title">Page not found</h1>
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
