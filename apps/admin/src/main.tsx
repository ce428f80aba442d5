import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { isChunkLoadError } from './lib/lazyPage';
import { installBackGuard } from './lib/useUnsavedChanges';
import './styles.css';

installBackGuard();

// A page whose code could not be downloaded is handled by PageErrorBoundary (it offers Reload);
// it is not a bug worth a console error.
createRoot(document.getElementById('root')!, {
  onCaughtError(error, info) {
    if (!isChunkLoadError(error)) console.error(error, info.componentStack);
  },
}).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
