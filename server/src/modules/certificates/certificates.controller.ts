import { Body, Controller, Get, Header, HttpCode, Param, type PipeTransform, Post, Put, Res, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  type CertificateDto,
  type CertificateStatusDto,
  type CpdOverviewDto,
  type IssuedCertificateDto,
  type MyCpdDto,
  RevokeCertificateBody,
  SetCpdBody,
  type VerificationDto,
  VerifyCredentialBody,
} from '../../contract';
import { AppError } from '../../common/errors';
import { ApiZodBody, UuidParam, ZodPipe } from '../../common/zod';
import { AuthGuard, CurrentPrincipal } from '../identity/auth.guard';
import type { Principal } from '../identity/identity.service';
import { renderCertificatePdf } from './certificate-pdf';
import { CertificatesService } from './certificates.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A certificate's id in a holder's path. Anything else names no certificate, and no route either
 * (`/api/certificates/verify` is a POST): NOT_FOUND, as for a path that does not exist.
 */
const CertificateIdParam: PipeTransform<string, string> = {
  transform(value: string): string {
    if (!UUID.test(value)) throw new AppError('NOT_FOUND', 'Not found.');
    return value;
  },
};

/** The organisers' threshold and list, and the participant's own certificate. */
@ApiTags('certificates')
@ApiBearerAuth()
@Controller('api')
@UseGuards(AuthGuard)
export class CertificatesController {
  constructor(private readonly certificates: CertificatesService) {}

  @Get('events/:eventId/cpd')
  overview(@CurrentPrincipal() p: Principal, @Param('eventId', UuidParam) eventId: string): Promise<CpdOverviewDto> {
    return this.certificates.overview(p.userId, eventId);
  }

  @Put('events/:eventId/cpd')
  @ApiZodBody(SetCpdBody)
  setThreshold(@CurrentPrincipal() p: Principal, @Param('eventId', UuidParam) eventId: string, @Body(new ZodPipe(SetCpdBody)) body: SetCpdBody): Promise<CpdOverviewDto> {
    return this.certificates.setThreshold(p.userId, eventId, body.threshold);
  }

  /** Issues to everyone who meets the threshold and holds none yet. */
  @Post('events/:eventId/certificates')
  @HttpCode(200)
  issueAll(@CurrentPrincipal() p: Principal, @Param('eventId', UuidParam) eventId: string): Promise<CpdOverviewDto> {
    return this.certificates.issueAll(p.userId, eventId);
  }

  @Get('events/:eventId/cpd/mine')
  mine(@CurrentPrincipal() p: Principal, @Param('eventId', UuidParam) eventId: string): Promise<MyCpdDto> {
    return this.certificates.mine(p.userId, eventId);
  }

  /** The caller's certificate: issued on the first call once they are eligible, the same one after. */
  @Post('events/:eventId/certificates/mine')
  @HttpCode(200)
  issueMine(@CurrentPrincipal() p: Principal, @Param('eventId', UuidParam) eventId: string): Promise<IssuedCertificateDto> {
    return this.certificates.issueMine(p.userId, eventId);
  }

  @Get('certificates/:certificateId')
  get(@CurrentPrincipal() p: Principal, @Param('certificateId', CertificateIdParam) id: string): Promise<IssuedCertificateDto> {
    return this.certificates.get(p.userId, id);
  }

  @Get('certificates/:certificateId/certificate.pdf')
  @ApiProduces('application/pdf')
  async pdf(@CurrentPrincipal() p: Principal, @Param('certificateId', UuidParam) id: string): Promise<StreamableFile> {
    const cert = await this.certificates.get(p.userId, id);
    const pdf = await renderCertificatePdf(cert);
    return new StreamableFile(pdf, { type: 'application/pdf', disposition: `attachment; filename="certificate-${cert.id}.pdf"`, length: pdf.length });
  }

  @Get('certificates/:certificateId/credential.jwt')
  @ApiProduces('application/vc+jwt')
  async credential(@CurrentPrincipal() p: Principal, @Param('certificateId', UuidParam) id: string, @Res({ passthrough: true }) res: Response): Promise<string> {
    const cert = await this.certificates.get(p.userId, id);
    res.setHeader('Content-Type', 'application/vc+jwt; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="certificate-${cert.id}.jwt"`);
    return cert.credential;
  }

  @Post('certificates/:certificateId/revoke')
  @HttpCode(200)
  @ApiZodBody(RevokeCertificateBody)
  revoke(@CurrentPrincipal() p: Principal, @Param('certificateId', UuidParam) id: string, @Body(new ZodPipe(RevokeCertificateBody)) body: RevokeCertificateBody): Promise<CertificateDto> {
    return this.certificates.revoke(p.userId, id, body.reason);
  }
}

/**
 * Verification for anyone, without an account: by the certificate's id (the QR code's link) or by
 * the credential itself; the status a credential names; the public key set. An invalid certificate is
 * an answer (`result: 'invalid'` with a stable code), not an error.
 */
@ApiTags('certificates')
@Controller()
export class PublicCertificatesController {
  constructor(private readonly certificates: CertificatesService) {}

  @Get('api/certificates/:certificateId/verification')
  @Header('Cache-Control', 'no-store')
  verifyId(@Param('certificateId') id: string): Promise<VerificationDto> {
    return this.certificates.verifyId(id);
  }

  @Post('api/certificates/verify')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiZodBody(VerifyCredentialBody)
  verify(@Body(new ZodPipe(VerifyCredentialBody)) body: VerifyCredentialBody): Promise<VerificationDto> {
    return this.certificates.verifyCredential(body.credential);
  }

  /** Named by each credential's `credentialStatus`. */
  @Get('api/certificates/:certificateId/status')
  @Header('Cache-Control', 'no-store')
  status(@Param('certificateId') id: string): Promise<CertificateStatusDto> {
    return this.certificates.status(id);
  }

  @Get('.well-known/jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): ReturnType<CertificatesService['jwks']> {
    return this.certificates.jwks();
  }
}
