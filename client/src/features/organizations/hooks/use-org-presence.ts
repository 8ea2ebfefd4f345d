import type { ServerEvents } from '@contract';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { connectSocket, emitCommand } from '../../../lib/socket';
import { orgKeys } from '../api/organizations';

/**
 * Watches an organisation over the socket: who is online, and live refreshes when members or
 * institutions change elsewhere. `null` while presence is unknown (not yet connected, or offline).
 */
export function useOrgPresence(organizationId: string): ReadonlySet<string> | null {
  const queryClient = useQueryClient();
  const [online, setOnline] = useState<ReadonlySet<string> | null>(null);

  useEffect(() => {
    const socket = connectSocket();
    let active = true;
    const watch = () => {
      emitCommand('org:watch', { organizationId }).then(
        (data) => active && setOnline(new Set(data.online)),
        () => active && setOnline(null),
      );
    };
    const update = (userId: string, isOnline: boolean) =>
      setOnline((prev) => {
        const next = new Set(prev);
        if (isOnline) next.add(userId);
        else next.delete(userId);
        return next;
      });
    const onOnline: ServerEvents['org:member-online'] = (e) => {
      if (e.organizationId === organizationId) update(e.userId, true);
    };
    const onOffline: ServerEvents['org:member-offline'] = (e) => {
      if (e.organizationId === organizationId) update(e.userId, false);
    };
    const onChanged: ServerEvents['org:changed'] = (e) => {
      if (e.organizationId !== organizationId) return;
      if (e.what === 'members') void queryClient.invalidateQueries({ queryKey: orgKeys.members(organizationId) });
      if (e.what !== 'invitations') void queryClient.invalidateQueries({ queryKey: orgKeys.institutions(organizationId) });
    };
    const onDisconnect = () => setOnline(null);

    socket.on('connect', watch);
    socket.on('disconnect', onDisconnect);
    socket.on('org:member-online', onOnline);
    socket.on('org:member-offline', onOffline);
    socket.on('org:changed', onChanged);
    if (socket.connected) watch();

    return () => {
      active = false;
      socket.off('connect', watch);
      socket.off('disconnect', onDisconnect);
      socket.off('org:member-online', onOnline);
      socket.off('org:member-offline', onOffline);
      socket.off('org:changed', onChanged);
      if (socket.connected) emitCommand('org:unwatch', { organizationId }).catch(() => undefined);
    };
  }, [organizationId, queryClient]);

  return online;
}
