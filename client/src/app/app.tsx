import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useEffect } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { GuestOnly, RequireAuth } from '../features/auth/components/require-auth';
import { MeetingPage } from '../features/governance/components/meeting-page';
import { MeetingsPanel } from '../features/governance/components/meetings-panel';
import { VerifyPage } from '../features/governance/components/verify-page';
import { SignInPage } from '../features/auth/components/sign-in-page';
import { SignUpPage } from '../features/auth/components/sign-up-page';
import { ForgotPasswordPage } from '../features/auth/components/forgot-password-page';
import { ResetPasswordPage } from '../features/auth/components/reset-password-page';
import { SignInCompletePage } from '../features/auth/components/sign-in-complete-page';
import { SignInProviderPanel } from '../features/organizations/components/sign-in-provider-panel';
import { InvitationPage } from '../features/invitations/components/invitation-page';
import { HomePage } from '../features/organizations/components/home-page';
import { InstitutionsPanel } from '../features/organizations/components/institutions-panel';
import { InvitationsPanel } from '../features/organizations/components/invitations-panel';
import { MembersPanel } from '../features/organizations/components/members-panel';
import { OrganizationPage } from '../features/organizations/components/organization-page';
import { RoomsPanel } from '../features/rooms/components/rooms-panel';
import { EventDirectoryPage, EventPage, EventsPanel, ManageEventPage, MyRegistrationsPage } from '../features/events';
import { VerifyCertificatePage } from '../features/certificates';
import { ArchivePage, OrgRecordingsPanel, RecordingPage } from '../features/archive';
import { Loading } from '../components/loading';
import { queryClient } from '../lib/query-client';
import { disconnectSocket } from '../lib/socket';
import { tokens } from '../lib/tokens';
import { Layout } from './layout';
import { NotFoundPage } from './not-found-page';

/** The meeting code (mediasoup-client and all) loads only when someone opens a room. */
const RoomPage = lazy(() => import('../features/room/components/room-page'));

/** When the session ends (here or in another tab), nothing of the previous user may stay cached. */
function useSessionCleanup() {
  useEffect(
    () =>
      tokens.subscribe(() => {
        if (tokens.signedIn) return;
        disconnectSocket();
        queryClient.clear();
      }),
    [],
  );
}

export function App() {
  useSessionCleanup();
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Routes>
          <Route element={<Layout />}>
            <Route element={<GuestOnly />}>
              <Route path="sign-in" element={<SignInPage />} />
              <Route path="sign-up" element={<SignUpPage />} />
              <Route path="forgot-password" element={<ForgotPasswordPage />} />
            </Route>
            <Route path="reset-password" element={<ResetPasswordPage />} />
            <Route path="sign-in/complete" element={<SignInCompletePage />} />
            <Route path="invite/:token" element={<InvitationPage />} />
            {/* Public events are readable signed out; members-only ones answer NOT_FOUND then. */}
            <Route path="events" element={<EventDirectoryPage />} />
            <Route path="events/:eventId" element={<EventPage />} />
            <Route path="certificates/verify" element={<VerifyCertificatePage />} />
            {/* Recordings: public ones for anyone, signed in or not; the server applies the access rule. */}
            <Route path="recordings/:recordingId" element={<RecordingPage />} />
            <Route path="archive/organizations/:id" element={<ArchivePage kind="organizations" />} />
            <Route path="archive/events/:id" element={<ArchivePage kind="events" />} />
            <Route path="archive/rooms/:id" element={<ArchivePage kind="rooms" />} />
            <Route element={<RequireAuth />}>
              <Route index element={<HomePage />} />
              <Route path="organizations/:orgId" element={<OrganizationPage />}>
                <Route index element={<Navigate to="institutions" replace />} />
                <Route path="institutions" element={<InstitutionsPanel />} />
                <Route path="members" element={<MembersPanel />} />
                <Route path="rooms" element={<RoomsPanel />} />
                <Route path="meetings" element={<MeetingsPanel />} />
                <Route path="events" element={<EventsPanel />} />
                <Route path="recordings" element={<OrgRecordingsPanel />} />
                <Route path="invitations" element={<InvitationsPanel />} />
                <Route path="sign-in" element={<SignInProviderPanel />} />
              </Route>
              <Route path="meetings/:meetingId" element={<MeetingPage />} />
              <Route path="verify" element={<VerifyPage />} />
              <Route path="events/:eventId/manage" element={<ManageEventPage />} />
              <Route path="my-registrations" element={<MyRegistrationsPage />} />
            </Route>
            {/* Signed in, or a guest of a public webinar: the page decides. */}
            <Route
              path="rooms/:roomId"
              element={
                <Suspense fallback={<Loading />}>
                  <RoomPage />
                </Suspense>
              }
            />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
